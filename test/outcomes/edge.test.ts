// The edge's part in outcomes: the serve flag, and the facts an admission gathers (a workload's
// recent outcomes for its UPDATE only; a failing source gives no advice, never a failed admission).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/cli/args.js';
import { parseServeArgs } from '../../src/cli/serve.js';
import { MemoryNamespaceSource, StaticVersionSource } from '../../src/cluster/memory.js';
import { emptyOutcomes } from '../../src/engine/outcomes/advice.js';
import type { WorkloadRef } from '../../src/engine/outcomes/types.js';
import type { AdmissionInput } from '../../src/engine/types.js';
import { gatherInput } from '../../src/http/facts.js';
import type { AdmissionRequest } from '../../src/http/review-codec.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';

const request = (operation: 'CREATE' | 'UPDATE', kind = 'Deployment', group = 'apps'): AdmissionRequest => ({
  uid: 'u',
  kind: { group, version: 'v1', kind },
  operation,
  namespace: 'shop',
  name: 'web',
  object: { metadata: { name: 'web', namespace: 'shop' }, spec: { template: { spec: { containers: [] } } } },
  dryRun: false,
});

describe('outcomes at the edge', () => {
  it('serve: --outcomes on by default, off by flag or variable, anything else a usage error', () => {
    const on = parseServeArgs([], {});
    assert.ok(on !== 'help' && on.outcomes === true);
    const off = parseServeArgs(['--outcomes=off'], {});
    assert.ok(off !== 'help' && off.outcomes === false);
    const env = parseServeArgs([], { GRACEKEEPER_OUTCOMES: 'off' });
    assert.ok(env !== 'help' && env.outcomes === false);
    assert.throws(
      () => parseServeArgs(['--outcomes=maybe'], {}),
      (e) => e instanceof UsageError && /on or off/.test(e.message),
    );
  });

  it("a workload's UPDATE gets its recent outcomes; a CREATE or a Pod does not", async () => {
    const namespaces = new MemoryNamespaceSource();
    const asked: WorkloadRef[] = [];
    const outcomes = {
      outcomes: (_ns: string, w: WorkloadRef) => {
        asked.push(w);
        return { ...emptyOutcomes(w), killed: 1 };
      },
    };
    const gather = gatherInput({ namespaces, outcomes, version: new StaticVersionSource() });
    const facts = async (r: AdmissionRequest): Promise<AdmissionInput> => gather(r, DEFAULT_CLUSTER_SETTINGS);
    assert.equal((await facts(request('UPDATE'))).outcomes?.killed, 1);
    assert.deepEqual(asked, [{ kind: 'Deployment', name: 'web' }]);
    assert.equal((await facts(request('CREATE'))).outcomes, undefined);
    assert.equal((await facts(request('UPDATE', 'CronJob', 'batch'))).outcomes, undefined);
    assert.equal((await facts(request('CREATE', 'Pod', ''))).outcomes, undefined);
  });

  it('a source that throws gives no advice and the admission goes on (fail-open)', async () => {
    const outcomes = {
      outcomes: () => {
        throw new Error('boom');
      },
    };
    const f = await gatherInput({ namespaces: new MemoryNamespaceSource(), outcomes, version: new StaticVersionSource() })(
      request('UPDATE'),
      DEFAULT_CLUSTER_SETTINGS,
    );
    assert.equal(f.outcomes, undefined);
  });
});
