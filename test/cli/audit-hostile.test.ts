// `gracekeeper audit` against hostile or broken API servers started here on loopback (issue 24):
// every request ends within its deadline (a body trickled a byte at a time too), the message says
// what timed out (a server that accepts TCP but never does TLS: the TLS handshake), a continue
// token seen twice stops the list, an answer past the size bound is refused before it is parsed,
// and control characters in the server's text never reach the terminal.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { runAudit } from '../../src/cli/audit.js';
import { jsonGetter, listAll, MAX_BODY } from '../../src/cluster/raw-get.js';

const dir = mkdtempSync(join(tmpdir(), 'gk-audit-hostile-'));
const closers: Array<() => void> = [];
after(() => closers.forEach((close) => close()));

function config(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u', namespace: 'default' }],
    currentContext: 'x',
  });
  return kc;
}

function kubeconfigFile(server: string): string {
  const path = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, config(server).exportConfig());
  return path;
}

async function httpServer(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer(handle);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

describe('audit against a hostile API server', () => {
  it('a body trickled one byte every 5 s ends at the deadline, saying what it was doing', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 5000);
      res.write('{');
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    await assert.rejects(jsonGetter(config(server), { timeoutMs: 6000 })('/version'), (err: Error) => {
      assert.match(err.message, /not answered whole within 6s \(reading the answer\)/);
      return true;
    });
    const took = Date.now() - started;
    assert.ok(took >= 5900 && took < 9000, `${took} ms`);
  });

  it('a server that accepts TCP but never does TLS ends at the stated timeout, naming the TLS handshake', async () => {
    const sockets: Socket[] = [];
    const tcp = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      sockets.forEach((s) => s.destroy());
      tcp.close();
    });
    const url = `https://127.0.0.1:${(tcp.address() as AddressInfo).port}`;
    const started = Date.now();
    await assert.rejects(jsonGetter(config(url), { timeoutMs: 1500 })('/version'), /within 1\.5s \(in the TLS handshake\)/);
    assert.ok(Date.now() - started < 4000);
  });

  it('an overall deadline: a request after it fails at once', async () => {
    const server = await httpServer((_req, res) => json(res, 200, {}));
    await assert.rejects(jsonGetter(config(server), { deadline: Date.now() - 1 })('/version'), /deadline passed/);
  });

  it('the same continue token on every page: stopped at the second, exit 1 with a clear message', async () => {
    let lists = 0;
    const server = await httpServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/version') return json(res, 200, { major: '1', minor: '35', gitVersion: 'v1.35.0' });
      if (path === '/api/v1/namespaces/default') return json(res, 200, { metadata: { name: 'default' } });
      lists++;
      json(res, 200, { items: [], metadata: { continue: 'same' } });
    });
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAudit(['--kubeconfig', kubeconfigFile(server)], {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
    });
    assert.equal(code, 1);
    assert.match(err.join(''), /the same continue token twice/);
    assert.equal(lists, 2, 'two pages, not thousands');
  });

  it('an answer over the size bound is refused before it is parsed (no V8 abort)', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items":[');
      let sent = 0;
      const more = () => {
        // Past the bound by a little, then stop (bounded): the client must have given up by then.
        while (sent < MAX_BODY / chunk.length + 8) {
          sent++;
          if (!res.write(chunk)) return res.once('drain', more);
        }
        res.end(']}');
      };
      more();
    });
    await assert.rejects(jsonGetter(config(server))('/api/v1/pods'), /answer over 134217728 bytes/);
    await assert.rejects(listAll(jsonGetter(config(server), { maxBody: 4096 }), '/api/v1/pods'), /answer over 4096 bytes/);
  });

  it("control characters in the server's text never reach the terminal", async () => {
    const evil = '\u001b[2J\u001b]0;pwned\u0007\r\u009b31mred';
    const server = await httpServer((req, res) => {
      if (req.url === '/version') return json(res, 200, { major: '1', minor: '35', gitVersion: 'v1.35.0' });
      json(res, 403, { kind: 'Status', message: `forbidden ${evil}` });
    });
    const err: string[] = [];
    const code = await runAudit(['--kubeconfig', kubeconfigFile(server)], {
      stdout: () => undefined,
      stderr: (t) => err.push(t),
    });
    assert.equal(code, 1);
    const text = err.join('');
    assert.match(text, /forbidden/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(text.replace(/\n$/, ''), /[\u0000-\u001f\u007f-\u009f]/);
  });
});
