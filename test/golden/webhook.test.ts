// Every golden case through the webhook's admission as well, as Istio's injector tests run each case
// through kube-inject and the webhook: each document as an AdmissionReview CREATE, with the same
// settings, Namespace annotations and API server version. The returned patch applied to the input
// must give the document in the expected output, and the warnings and denials must be the ones
// `gracekeeper mutate` printed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fastJsonPatch from 'fast-json-patch';
import { pino } from 'pino';
import { parseMutateArgs } from '../../src/cli/mutate.js';
import { isList, readDocuments } from '../../src/cli/documents.js';
import { MemoryNamespaceSource, StaticVersionSource } from '../../src/cluster/memory.js';
import { MemoryTrafficSource } from '../../src/cluster/traffic-source.js';
import { indexDocuments } from '../../src/traffic/documents.js';
import { gvkOf } from '../../src/kube/gvk.js';
import { admit } from '../../src/engine/admit.js';
import { admission, type AdmissionDeps } from '../../src/http/admission.js';
import { decodeBody, type AdmissionReviewResponse } from '../../src/http/review-codec.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { DEFAULT_CLUSTER_SETTINGS, parseClusterSettings } from '../../src/settings/cluster-settings.js';
import { decodePatch, review } from '../server/helpers.js';
import { CORPUS, goldenCases, portable } from './cases.js';

type Obj = Record<string, any>;

/** The documents of a file as `gracekeeper mutate` reads them, List items in place. */
function documentsOf(file: string, text = readFileSync(file, 'utf8')): unknown[] {
  return readDocuments(text, file).documents.flatMap((d) => (isList(d) ? d.items : [d]));
}

for (const c of [...goldenCases(), ...goldenCases(CORPUS).map((k) => ({ ...k, name: `corpus/${k.name}` }))]) {
  test(`golden through the webhook: ${c.name}`, async () => {
    const options = parseMutateArgs(c.args);
    const cluster = options.config ? parseClusterSettings(readFileSync(options.config, 'utf8')) : undefined;
    assert.ok(!cluster || cluster.ok, 'the case config parses');
    const namespaces = new MemoryNamespaceSource();
    const inputs = documentsOf(c.inputFile);
    const traffic = new MemoryTrafficSource();
    indexDocuments(traffic.index, inputs, options.namespace);
    // `mutate --cloud NAME` stands for what the webhook learns from the Nodes' spec.providerID.
    if (options.cloud && options.cloud !== 'auto' && options.cloud !== 'none') traffic.index.cloud = options.cloud;
    const deps: AdmissionDeps = {
      admit,
      traffic,
      settings: () => (cluster?.ok ? cluster.value.settings : DEFAULT_CLUSTER_SETTINGS),
      namespaces,
      version: new StaticVersionSource(options.kubeVersion),
      metrics: new Metrics(),
      log: pino({ level: 'silent' }),
    };
    const reviewOne = admission(deps);
    const expected = readFileSync(c.txtFile, 'utf8');
    const [status, ...stderr] = expected.split('\n');
    const outputs = status === 'exit 0' ? documentsOf(c.outFile) : undefined;
    if (outputs) assert.equal(outputs.length, inputs.length, 'one output document per input document');
    const messages: string[] = [];
    for (const [i, doc] of inputs.entries()) {
      const gvk = gvkOf(doc);
      if (!gvk) continue;
      const object = doc as Obj;
      const namespace = object.metadata?.namespace ?? options.namespace;
      namespaces.set(namespace, options.namespaceAnnotations, options.namespaceLabels);
      const decoded = decodeBody(Buffer.from(JSON.stringify(review(object, { namespace }))));
      assert.ok(decoded.ok, 'the review decodes');
      const out = await new Promise<AdmissionReviewResponse>((resolve, reject) => reviewOne(decoded.value, resolve, reject));
      const response = out.response as Obj;
      const label = `${gvk.kind}/${object.metadata?.name ?? object.metadata?.generateName ?? '<unnamed>'}`;
      for (const w of response.warnings ?? []) messages.push(`Warning: ${label}: ${w}`);
      if (!response.allowed) {
        messages.push(`${label}: ${response.status.message}`);
        continue;
      }
      if (!outputs) continue;
      const patched = fastJsonPatch.applyPatch(structuredClone(object), decodePatch(response), true, false).newDocument;
      assert.deepEqual(patched, outputs[i], `${label}: the patch applied to the input gives the expected output`);
    }
    // The same messages as the command printed: warnings as they come, denials after them.
    const printed = stderr.filter((l) => l !== '');
    const order = (lines: string[]) => [
      ...lines.filter((l) => l.startsWith('Warning: ')),
      ...lines.filter((l) => !l.startsWith('Warning: ')),
    ];
    if (status !== 'exit 2') assert.deepEqual(order(messages).map(portable), printed);
  });
}
