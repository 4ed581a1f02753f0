// Transport: the HTTPS server (TLS 1.2+, HTTP/1.1 keep-alive with the timeouts that keep a slow or
// silent client from holding a request forever), the plain-HTTP metrics server, and closing both.
import { createServer as createHttpServer, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import type { Registry } from 'prom-client';

export interface TransportTimeouts {
  /** The whole request (headers and body) must arrive within this; then 408 and close. */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are kept this long: longer than the API server's 90 s idle timeout,
   * so that it, not we, closes them (a POST on a connection we just closed would not be retried). */
  keepAliveTimeoutMs: number;
  /** A TLS handshake must finish within this. */
  handshakeTimeoutMs: number;
}

export const DEFAULT_TIMEOUTS: TransportTimeouts = {
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 120_000,
  handshakeTimeoutMs: 10_000,
};

export function createWebhookServer(tls: SecureContextOptions, app: RequestListener, timeouts: TransportTimeouts): HttpsServer {
  const server = createHttpsServer(
    {
      ...tls,
      requestTimeout: timeouts.requestTimeoutMs,
      headersTimeout: Math.min(timeouts.requestTimeoutMs, 10_000),
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      // How often request/headers timeouts are checked; a fraction of the shortest one.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.requestTimeoutMs / 4))),
      handshakeTimeout: timeouts.handshakeTimeoutMs,
      noDelay: true,
    },
    app,
  );
  server.on('tlsClientError', () => {
    // A failed handshake (wrong CA, old TLS version, port scan): the socket is already closed.
  });
  // Connections that never carried a request (Go's transport opens spare ones): Node counts them
  // neither idle nor busy, so closeIdleConnections() leaves them; closeGracefully() ends them.
  const fresh = new Set<TLSSocket>();
  server.on('secureConnection', (socket: TLSSocket) => {
    fresh.add(socket);
    socket.once('close', () => fresh.delete(socket));
  });
  server.on('request', (req: { socket: unknown }) => fresh.delete(req.socket as TLSSocket));
  UNUSED_CONNECTIONS.set(server, fresh);
  return server;
}

const UNUSED_CONNECTIONS = new WeakMap<HttpServer | HttpsServer, Set<TLSSocket>>();

/** Closes idle keep-alive connections and connections that never carried a request. */
function closeUnused(server: HttpServer | HttpsServer): void {
  server.closeIdleConnections();
  for (const socket of UNUSED_CONNECTIONS.get(server) ?? []) socket.destroy();
}

/** Plain HTTP: GET /metrics (Prometheus text), GET /healthz. */
export function createMetricsServer(registry: Registry): HttpServer {
  return createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': registry.contentType });
          res.end(text);
        },
        (err: unknown) => {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(`metrics failed: ${(err as Error).message}\n`);
        },
      );
    } else if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });
}

export function listen(server: HttpServer | HttpsServer, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting connections, closes idle keep-alive ones, lets requests in progress finish
 * (their answers carry Connection: close), and after `timeoutMs` cuts what is left. Resolves true
 * when everything finished in time.
 */
export function closeGracefully(server: HttpServer | HttpsServer, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (clean: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(sweep);
      resolve(clean);
    };
    const timer = setTimeout(() => {
      server.closeAllConnections();
      finish(false);
    }, timeoutMs);
    // A connection becomes idle once its last answer is out: close those as they come.
    const sweep = setInterval(() => closeUnused(server), 100);
    server.close(() => finish(true));
    closeUnused(server);
  });
}
