// The real cluster: a kubeconfig (from --kubeconfig, or the in-cluster one) and the sources built
// on it. Loaded only when there is a cluster (@kubernetes/client-node costs about 80 MiB).
import { KubeConfig } from '@kubernetes/client-node';
import { ApiVersionSource } from './api-version.js';
import { InformerNamespaceSource } from './namespace-informer.js';
import type { KubeSourceOptions } from './kube-options.js';
import { OutcomeWatch } from './outcome-watch.js';
import { jsonGetter } from './raw-get.js';
import { apiMetadataReader, OwnerLookup } from './owner-lookup.js';
import { InformerTrafficSource } from './traffic-source.js';
import type { ClusterSource } from './sources.js';

export type { KubeSourceOptions } from './kube-options.js';

/** A kubeconfig from --kubeconfig, else the in-cluster one, else undefined (no cluster). */
export function loadKubeConfig(
  kubeconfig: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { config: KubeConfig; description: string } | undefined {
  const config = new KubeConfig();
  if (kubeconfig) {
    config.loadFromFile(kubeconfig);
    return { config, description: `kubeconfig ${kubeconfig}` };
  }
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT) {
    config.loadFromCluster();
    return { config, description: 'in-cluster' };
  }
  return undefined;
}

export function kubeCluster(config: KubeConfig, description: string, options: KubeSourceOptions): ClusterSource {
  const namespaces = new InformerNamespaceSource(config, options);
  return {
    description,
    namespaces,
    version: new ApiVersionSource(config, options),
    owners: new OwnerLookup(apiMetadataReader(config)),
    traffic: new InformerTrafficSource(config, {
      log: options.log,
      backoffInitialMs: options.backoffInitialMs,
      backoffMaxMs: options.backoffMaxMs,
      onRestart: options.onTrafficRestart,
      discoveryMs: options.discoveryMs,
    }),
    ...(options.outcomes
      ? {
          outcomes: new OutcomeWatch(config, {
            ...options.outcomes,
            get: jsonGetter(config),
            log: options.log,
            namespaces,
            backoffInitialMs: options.backoffInitialMs,
            backoffMaxMs: options.backoffMaxMs,
          }),
        }
      : {}),
  };
}

/**
 * A command-line client's kubeconfig, found as kubectl finds it: --kubeconfig, else $KUBECONFIG,
 * ~/.kube/config, else the in-cluster one; `context` instead of the current context.
 */
export function loadClientKubeConfig(kubeconfig: string | undefined, context?: string): KubeConfig {
  const config = new KubeConfig();
  if (kubeconfig) config.loadFromFile(kubeconfig);
  else config.loadFromDefault();
  if (context !== undefined) {
    const names = config.getContexts().map((c) => c.name);
    if (!names.includes(context)) {
      throw new Error(`context ${JSON.stringify(context)} is not in the kubeconfig; it has: ${names.join(', ') || 'none'}`);
    }
    config.setCurrentContext(context);
  }
  return config;
}
