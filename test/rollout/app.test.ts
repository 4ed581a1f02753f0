// The keep-alive app of the rollout proof (app/main.go), built with the machine's Go and run on
// loopback: it serves keep-alive connections, and on SIGTERM answers the request in flight with
// `Connection: close`, closes its idle connections, refuses new ones, and exits once drained.
// Skipped when there is no Go toolchain.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../e2e/util.js';

const here = dirname(fileURLToPath(import.meta.url));
const go = process.env.GO ?? 'go';
const skip = spawnSync(go, ['version']).status === 0 ? undefined : `no Go toolchain (${go})`;

interface Answer {
  status?: number;
  connection?: string;
  body?: string;
  reused: boolean;
  error?: string;
}

function ask(agent: Agent, port: number, path = '/'): Promise<Answer> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent }, (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () =>
        resolve({ status: res.statusCode, connection: res.headers.connection, body, reused: req.reusedSocket }),
      );
    });
    req.on('error', (e: Error & { code?: string }) => resolve({ error: e.code ?? e.message, reused: req.reusedSocket }));
  });
}

describe('keep-alive test app', { skip }, () => {
  let dir: string;
  let app: ChildProcess;
  let port: number;
  let out = '';
  let exited: Promise<number | null>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gk-app-test-'));
    const bin = join(dir, 'app');
    const build = spawnSync(go, ['build', '-o', bin, '.'], {
      cwd: join(here, 'app'),
      encoding: 'utf8',
      env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    });
    assert.equal(build.status, 0, build.stderr);
    [port] = await freePorts(1);
    app = spawn(bin, [], { env: { LISTEN: `127.0.0.1:${port}`, START_DELAY: '0s' }, stdio: ['ignore', 'pipe', 'inherit'] });
    app.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    exited = new Promise((r) => app.on('exit', (code) => r(code)));
    for (let i = 0; i < 100; i++) {
      const a = await ask(new Agent(), port);
      if (a.body === 'ok\n') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the app did not start listening');
  });

  after(() => {
    app?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps connections alive, and drains them on SIGTERM', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const first = await ask(agent, port);
    const second = await ask(agent, port);
    assert.deepEqual([first.body, second.body, second.reused], ['ok\n', 'ok\n', true]);
    assert.notEqual(second.connection, 'close');

    // One request in flight (1 s of work) on a second connection, the first one idle, then SIGTERM.
    const inFlight = ask(new Agent({ keepAlive: true }), port, '/?work=1s');
    await new Promise((r) => setTimeout(r, 300));
    app.kill('SIGTERM');
    const answer = await inFlight;
    assert.equal(answer.body, 'ok\n', JSON.stringify(answer));
    assert.equal(answer.connection, 'close', 'the request in flight is told the connection closes');
    assert.equal(await exited, 0);
    assert.match(out, /SIGTERM: closing 1 idle connections, finishing 1 active ones/);
    assert.match(out, /drained in \d+ ms \(<nil>\), exiting/);
    const after = await ask(new Agent(), port);
    assert.equal(after.error, 'ECONNREFUSED');
  });
});
