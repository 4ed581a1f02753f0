// The objects the engine and audit tests start from: a Deployment `web` in `shop` whose template
// (labels app=web) has one container `app` listening on 8080. Each test names only what it changes.
// (test/server/fixtures.ts has the HTTP tests' objects, one of every kind; test/e2e/manifests.ts
// the real cluster's.)

export type Obj = Record<string, any>;

export interface DeploymentOptions {
  namespace?: string;
  /** The Deployment's own annotations; absent: no annotations key. */
  annotations?: Record<string, string>;
  /** The pod template's annotations; absent: no annotations key. */
  templateAnnotations?: Record<string, string>;
  /** Labels added to the template's app=web. */
  templateLabels?: Record<string, string>;
  /** The containers (default: `app`, image `a`, port 8080). */
  containers?: Obj[];
  /** Fields of the pod spec besides its containers (terminationGracePeriodSeconds, ...). */
  podSpec?: Obj;
}

export function container(name = 'app', port = 8080): Obj {
  return { name, image: 'a', ports: [{ containerPort: port }] };
}

export function deployment(o: DeploymentOptions = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: o.namespace ?? 'shop',
      ...(o.annotations !== undefined ? { annotations: o.annotations } : {}),
    },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: {
          labels: { app: 'web', ...o.templateLabels },
          ...(o.templateAnnotations !== undefined ? { annotations: o.templateAnnotations } : {}),
        },
        spec: { ...o.podSpec, containers: o.containers ?? [container()] },
      },
    },
  };
}
