// Runs inside the node's network namespace: accepts TCP connections on 127.0.0.1:<port> and
// forwards each to a unix socket, on whose other end (in the host's namespace) test/rollout/node.ts
// forwards to the API server on the host's 127.0.0.1:<port>. TLS passes through untouched.
// Usage: node forward.mjs PORT SOCKET_PATH
import { createConnection, createServer } from 'node:net';

const [port, socketPath] = process.argv.slice(2);
if (!port || !socketPath) {
  process.stderr.write('usage: node forward.mjs PORT SOCKET_PATH\n');
  process.exit(2);
}
const server = createServer((c) => {
  const up = createConnection(socketPath);
  c.pipe(up).pipe(c);
  const end = () => {
    c.destroy();
    up.destroy();
  };
  for (const s of [c, up]) {
    s.on('error', end);
    s.on('close', end);
  }
});
server.listen(Number(port), '127.0.0.1', () => process.stderr.write(`forwarding 127.0.0.1:${port} -> ${socketPath}\n`));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
