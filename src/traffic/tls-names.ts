// Whether a port speaks TLS, from what its Service or container calls it: a name of https or tls
// (alone or as a protocol prefix or suffix, as Istio's port naming and kubebuilder's
// kube-rbac-proxy spell it), an appProtocol of https or tls, or the Service port 443 (unless the
// container names the port plain, as `http`). A kubelet
// TCP probe opens a connection and closes it without a handshake, and a Go HTTPS server logs
// "http: TLS handshake error ... EOF" for every one (net/http's serve loop): one line per pod
// every period, which is why readiness does not TCP-probe such ports (engine/rules/readiness-ports.ts).

const TLS_NAME = /^(https|tls)(-|$)|-(https|tls)$/;
const TLS_APP_PROTOCOLS: ReadonlySet<string> = new Set(['https', 'tls']);
/** Names that say the port is plain (Istio's protocol prefixes): they outweigh a Service port of 443. */
const PLAIN_NAME = /^(http|http2|h2c|grpc|tcp)(-|$)/;

/** How a port is known to speak TLS: by its name or appProtocol, or only by the Service port 443. */
export type TlsBy = 'name' | 'port';

export function speaksTls(name: string | undefined, appProtocol?: string, port?: number): TlsBy | undefined {
  if (name !== undefined && TLS_NAME.test(name.toLowerCase())) return 'name';
  if (appProtocol !== undefined) return TLS_APP_PROTOCOLS.has(appProtocol.toLowerCase()) ? 'name' : undefined;
  return port === 443 ? 'port' : undefined;
}

/** Whether a container port's name says it is plain (http, grpc, ...), which a Service port of 443 does not outweigh. */
export function namedPlain(name: string | undefined): boolean {
  return name !== undefined && PLAIN_NAME.test(name.toLowerCase());
}
