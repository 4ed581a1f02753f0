// What the real cluster's sources are told (kubeconfig.ts builds them): the logger, restart hooks
// for the metrics, and their clocks. Its own file so that each source can import it without
// importing the builder that imports them.
import type { Logger } from 'pino';
import type { OutcomeWatchOptions } from './outcome-watch.js';

export interface KubeSourceOptions {
  log: Logger;
  /** Called on each Namespace informer restart after an error (for a metric). */
  onRestart?: () => void;
  /** Called on each restart of a traffic informer after an error, with its resource (for a metric). */
  onTrafficRestart?: (resource: string) => void;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How often the API server version is re-read (default 10 minutes). */
  versionRefreshMs?: number;
  /** How often the Gateway API's CRDs are looked for (default one minute). */
  discoveryMs?: number;
  /** Watch how pods stop and start (docs/outcomes.md); absent: not watched. */
  outcomes?: Pick<OutcomeWatchOptions, 'settings' | 'onFinding' | 'onNamespace' | 'onRestart' | 'sweepMs'>;
}
