// fast-check generators for the pod's shutdown path: mesh labels and annotations on the template
// (with ProxyConfigs and waits the user wrote), Namespace labels and annotations, the pod's OS, and
// shell command lines.
import fc from 'fast-check';

const ISTIO_CONFIGS = [
  'holdApplicationUntilProxyStarts: true\n',
  '{"concurrency": 2}',
  '{}',
  'terminationDrainDuration: 10s',
  'terminationDrainDuration: 2m',
  '- not a mapping',
];

/** Labels and annotations of a pod template that a mesh reads. */
export const meshMeta = fc
  .record({
    istio: fc.constantFrom(undefined, 'true', 'false'),
    native: fc.constantFrom(undefined, 'true', 'false'),
    config: fc.option(fc.constantFrom(...ISTIO_CONFIGS), { nil: undefined, freq: 3 }),
    linkerd: fc.constantFrom(undefined, 'enabled', 'disabled', 'ingress'),
    linkerdNative: fc.constantFrom(undefined, 'true'),
    linkerdWait: fc.option(fc.constantFrom('3', '60', 'soon'), { nil: undefined, freq: 4 }),
  })
  .map((m) => {
    const labels: Record<string, string> = {};
    const annotations: Record<string, string> = {};
    if (m.istio) labels['sidecar.istio.io/inject'] = m.istio;
    if (m.native) annotations['sidecar.istio.io/nativeSidecar'] = m.native;
    if (m.config !== undefined) annotations['proxy.istio.io/config'] = m.config;
    if (m.linkerd) annotations['linkerd.io/inject'] = m.linkerd;
    if (m.linkerdNative) annotations['config.beta.linkerd.io/proxy-enable-native-sidecar'] = m.linkerdNative;
    if (m.linkerdWait !== undefined) annotations['config.alpha.linkerd.io/proxy-wait-before-exit-seconds'] = m.linkerdWait;
    return { labels, annotations };
  });

/** A Namespace's labels and annotations as a mesh reads them. */
export const meshNamespace = fc
  .record({
    injection: fc.constantFrom(undefined, 'enabled', 'disabled'),
    rev: fc.constantFrom(undefined, 'canary'),
    linkerd: fc.constantFrom(undefined, 'enabled'),
  })
  .map((n) => {
    const labels: Record<string, string> = {};
    if (n.injection) labels['istio-injection'] = n.injection;
    if (n.rev) labels['istio.io/rev'] = n.rev;
    const annotations: Record<string, string> = n.linkerd ? { 'linkerd.io/inject': n.linkerd } : {};
    return { labels, annotations };
  });

export const podOS = fc.constantFrom(undefined, 'linux', 'windows');

export const commandLine = fc.constantFrom(
  undefined,
  ['sh', '-c', 'java -jar /app.jar'],
  ['bash', '-c', 'cd /app && exec ./run'],
  ['/bin/sh', '-c', 'while true; do sleep 1; done'],
);
