// One Node.js for the image, the tests and the benchmark: the version scripts/ensure-node.sh pins
// (what the image test and `make bench` run on) is the Dockerfile's NODE_MAJOR, every stage is on
// that major and one Debian release, package.json's engines covers it and the development Node.js
// that runs `make test`, CI installs it, and docs/runtime.md states them as they are.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';
import { pinnedNodeVersion } from './image-node.js';
import { ROOT } from './kustomize.js';

const pinned = pinnedNodeVersion();
const pinnedMajor = String(semver.major(pinned));
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]);
const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node;

/** Debian's release numbers by codename, as the node images name them. */
const DEBIAN: Record<string, string> = { bookworm: '12', trixie: '13', forky: '14' };

describe('the Node.js runtime', () => {
  it("has the Dockerfile's NODE_MAJOR the major that the tests install", () => {
    const arg = /^ARG NODE_MAJOR=(\d+)\s*$/m.exec(dockerfile);
    assert.ok(arg, 'the Dockerfile has ARG NODE_MAJOR=<major>');
    assert.equal(arg[1], pinnedMajor, `Dockerfile NODE_MAJOR=${arg[1]}, scripts/ensure-node.sh NODE_VERSION=${pinned}`);
  });

  it('builds and runs every stage on NODE_MAJOR, on one Debian release', () => {
    assert.ok(froms.length >= 2, froms.join(', '));
    const debian = new Set<string>();
    for (const from of froms) {
      const node = /^node:\$\{NODE_MAJOR\}-(\w+)-slim$/.exec(from);
      const distroless = /^gcr\.io\/distroless\/nodejs\$\{NODE_MAJOR\}-debian(\d+)(:nonroot)?$/.exec(from);
      assert.ok(node || distroless, `FROM ${from}: node:\${NODE_MAJOR}-<codename>-slim or distroless nodejs\${NODE_MAJOR}`);
      if (node) {
        assert.ok(DEBIAN[node[1]], `FROM ${from}: a Debian codename this test knows`);
        debian.add(DEBIAN[node[1]]);
      } else debian.add((distroless as RegExpExecArray)[1]);
    }
    assert.match(froms.at(-1) as string, /^gcr\.io\/distroless\//, 'the runtime stage is distroless');
    assert.equal(debian.size, 1, `the stages' Debian releases: ${[...debian].join(', ')}`);
  });

  it("has engines cover the development Node.js (this one) and the image's", () => {
    assert.ok(engines && semver.validRange(engines), `package.json engines.node: ${engines}`);
    assert.ok(semver.satisfies(process.version, engines), `engines ${engines} covers ${process.version}, which runs make test`);
    assert.ok(semver.satisfies(pinned, engines), `engines ${engines} covers the image's ${pinned}`);
  });

  it('is installed by CI before the tests run', () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    const install = ci.search(/^bash scripts\/ensure-node\.sh\b/m);
    assert.ok(install >= 0, '.ci/run runs scripts/ensure-node.sh');
    assert.ok(install < ci.search(/^make test\b/m), 'before make test');
  });

  it('is documented as it is: docs/runtime.md names the pinned version and both majors', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'runtime.md'), 'utf8');
    assert.ok(doc.includes(pinned), `docs/runtime.md names ${pinned}`);
    assert.ok(doc.includes(`NODE_MAJOR=${pinnedMajor}`), `docs/runtime.md names NODE_MAJOR=${pinnedMajor}`);
    assert.ok(doc.includes(`\`${engines}\``), `docs/runtime.md quotes engines ${engines}`);
    assert.ok(doc.includes(`Node.js ${semver.major(process.version)}`), `docs/runtime.md names the development Node.js`);
  });
});
