// One object of every kind gracekeeper handles, each with a container that has a TCP port.
const container = (name = 'app', port = 8080) => ({
  name,
  image: 'example.com/app:1',
  ports: [{ name: 'http', containerPort: port }],
});
const template = (annotations: Record<string, string> = {}) => ({
  metadata: { labels: { app: 'web' }, annotations },
  spec: { containers: [container()] },
});

export function pod(annotations: Record<string, string> = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', annotations },
    spec: { containers: [container()] },
  };
}

export function deployment(annotations: Record<string, string> = {}, templateAnnotations: Record<string, string> = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', annotations },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: template(templateAnnotations) },
  };
}

function workload(apiVersion: string, kind: string, extra: Record<string, unknown> = {}): any {
  return {
    apiVersion,
    kind,
    metadata: { name: `web-${kind.toLowerCase()}`, namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...extra },
  };
}

export function allKinds(): any[] {
  return [
    pod(),
    deployment(),
    workload('apps/v1', 'StatefulSet', { serviceName: 'web' }),
    workload('apps/v1', 'DaemonSet'),
    workload('apps/v1', 'ReplicaSet'),
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: 'shop' },
      spec: { template: { metadata: {}, spec: { restartPolicy: 'Never', containers: [container()] } } },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'shop' },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [container()] } } } },
      },
    },
  ];
}
