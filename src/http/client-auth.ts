// With --client-ca, the webhook's TLS asks every client for a certificate and verifies it against
// that CA, but completes the handshake either way (rejectUnauthorized: false): kubelet probes of
// /healthz and /readyz carry no client certificate and must keep working on the same port. Only
// POST /mutate is refused without a verified one: 401 without a certificate, 403 with one the CA
// did not sign. The API server counts either as a failed call, so failurePolicy: Ignore still
// admits the object unchanged (docs/operations.md). Metrics are on their own plain-HTTP port.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** The server options that ask for a client certificate and leave the decision to the route. */
export function clientCertOptions(ca: Buffer): { ca: Buffer; requestCert: true; rejectUnauthorized: false } {
  return { ca, requestCert: true, rejectUnauthorized: false };
}

/** Why the request's connection may not call /mutate, as [status, message, close], or undefined. */
export function clientCertRefusal(req: IncomingMessage): [number, string, boolean] | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.authorized === true) return undefined;
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
  if (!peer || Object.keys(peer).length === 0) {
    return [401, 'a client certificate is required: this webhook verifies the API server (--client-ca)', true];
  }
  const why = String(socket.authorizationError ?? 'not verified').slice(0, 80);
  return [403, `the client certificate is not signed by the --client-ca bundle (${why})`, true];
}
