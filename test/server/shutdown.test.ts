// The shutdown sequence: /readyz fails at once, requests are served through the delay, then the
// listener closes, requests in progress finish (or are cut at the timeout), and the process exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { connect, type TLSSocket } from 'node:tls';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { pod } from './fixtures.js';
import { call, review, startTestServer, tempDir } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** A request whose body is only half sent: in progress until `finish()`. */
async function halfSentRequest(port: number, ca: string, body: string) {
  const socket: TLSSocket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca });
  await once(socket, 'secureConnect');
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString();
  });
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  socket.write(
    `POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
  );
  socket.write(body.slice(0, 40));
  return {
    finish: () => socket.write(body.slice(40)),
    closed: closed.then(() => text),
  };
}

describe('shutdown, in process', () => {
  it('readyz fails at once, serving continues for the delay, then in-flight requests finish', async () => {
    const server = await startTestServer({ shutdownDelayMs: 600, shutdownTimeoutMs: 5000 });
    const body = review(pod());
    const inFlight = await halfSentRequest(server.port, server.ca, JSON.stringify(body));
    assert.equal((await call(server, { method: 'GET', path: '/readyz' })).status, 200);

    const started = Date.now();
    const stopped = server.shutdown();
    const readyz = await call(server, { method: 'GET', path: '/readyz' });
    assert.equal(readyz.status, 503);
    assert.match(readyz.text, /shutting down/);
    assert.equal((await call(server, { method: 'GET', path: '/healthz' })).status, 200);
    const during = await call(server, { body: review(pod()) });
    assert.equal(during.status, 200, 'served during the delay');
    assert.ok(during.json.response.patch);
    assert.equal(during.headers.connection, 'close', 'clients are told to reconnect elsewhere');

    await sleep(1200);
    await assert.rejects(
      call(server, { method: 'GET', path: '/healthz' }),
      /ECONNREFUSED/,
      'the listener is closed after the delay',
    );
    inFlight.finish();
    const answer = await inFlight.closed;
    assert.match(answer, /^HTTP\/1\.1 200/);
    assert.ok(answer.includes(body.request.uid), 'the request in progress got its answer');
    await stopped;
    assert.ok(Date.now() - started >= 600);
    const messages = server.logs.lines.map((l) => l.msg);
    assert.ok(messages.indexOf('shutting down: /readyz fails now, still serving during the delay') < messages.indexOf('stopped'));
  });

  it('connections that never carried a request do not hold up the shutdown', async () => {
    const server = await startTestServer({ shutdownDelayMs: 0, shutdownTimeoutMs: 5000 });
    const unused = connect({ host: '127.0.0.1', port: server.port, servername: 'localhost', ca: server.ca });
    await once(unused, 'secureConnect');
    const closed = once(unused, 'close');
    unused.on('error', () => {});
    const started = Date.now();
    await server.shutdown();
    await closed;
    assert.ok(Date.now() - started < 2000, `stopped after ${Date.now() - started} ms`);
    assert.ok(!server.logs.lines.some((l) => /shutdown timeout reached/.test(String(l.msg))));
  });

  it('requests still in progress at --shutdown-timeout are cut', async () => {
    const server = await startTestServer({ shutdownDelayMs: 0, shutdownTimeoutMs: 300 });
    const stuck = await halfSentRequest(server.port, server.ca, JSON.stringify(review(pod())));
    const started = Date.now();
    await server.shutdown();
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 250 && elapsed < 3000, `stopped after ${elapsed} ms`);
    await stuck.closed;
    assert.ok(server.logs.lines.some((l) => /shutdown timeout reached/.test(String(l.msg))));
  });
});

describe('shutdown of the gracekeeper serve process', () => {
  let child: ReturnType<typeof spawn> | undefined;
  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('on SIGTERM: readyz fails, requests are served for --shutdown-delay, exit status 0', async () => {
    const dir = tempDir();
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
        'serve',
        '--port',
        '0',
        '--metrics-port',
        '0',
        '--bind-address',
        '127.0.0.1',
        '--self-signed-dir',
        dir,
        '--shutdown-delay',
        '2s',
        '--shutdown-timeout',
        '3s',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBERNETES_SERVICE_HOST: '' } },
    );
    // 'close', not 'exit': only then has all of its output been read.
    const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
    const lines: Array<Record<string, unknown>> = [];
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const serving = new Promise<Record<string, unknown>>((resolve, reject) => {
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        lines.push(parsed);
        if (parsed.msg === 'gracekeeper serving') resolve(parsed);
      });
      void exited.then(([code]) => reject(new Error(`exited ${code} before serving: ${stderr}`)));
    });
    const { port } = (await serving) as { port: number };
    const server = { port, ca: readFileSync(`${dir}/ca.crt`, 'utf8') };
    assert.equal((await call(server, { method: 'GET', path: '/readyz' })).status, 200);

    const started = Date.now();
    child.kill('SIGTERM');
    let readyz = 200;
    while (readyz === 200 && Date.now() - started < 1800) {
      readyz = (await call(server, { method: 'GET', path: '/readyz' })).status;
    }
    assert.equal(readyz, 503, '/readyz fails soon after SIGTERM');
    const reply = await call(server, { body: review(pod()) });
    assert.equal(reply.status, 200, 'still served during the delay');
    assert.ok(reply.json.response.patch);

    const [code, signal] = await exited;
    assert.equal(signal, null);
    assert.equal(code, 0, stderr);
    assert.ok(Date.now() - started >= 2000, 'waited for the delay');
    const messages = lines.map((l) => l.msg);
    assert.ok(messages.includes('signal received'));
    assert.equal(messages.at(-1), 'stopped');
  });
});
