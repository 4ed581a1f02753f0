// The floor: bare node:https that reads the body, JSON.parse's it and answers a fixed allowed
// AdmissionReview (echoing the request's uid, as the API server requires). No framework, no
// logging, no metrics. Usage: node baseline.js PORT CERT_FILE KEY_FILE
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [port, certFile, keyFile] = process.argv.slice(2);
if (!port || !certFile || !keyFile) {
  process.stderr.write('usage: baseline PORT CERT_FILE KEY_FILE\n');
  process.exit(2);
}

const server = createServer(
  {
    cert: readFileSync(certFile),
    key: readFileSync(keyFile),
    minVersion: 'TLSv1.2',
    keepAliveTimeout: 120_000,
    noDelay: true,
  },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let uid: string;
      try {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: unknown } };
        uid = typeof review.request?.uid === 'string' ? review.request.uid : '';
      } catch {
        res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"kind":"Status","code":400}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":${JSON.stringify(uid)},"allowed":true}}`,
      );
    });
  },
);
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)).closeAllConnections());
