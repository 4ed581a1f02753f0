// Graceful node shutdown gives regular pods the kubelets' shutdownGracePeriod (minus the part kept
// for critical pods), whatever their own grace period says: a longer one is cut short.
import { formatDuration } from '../../settings/duration.js';

export function nodeShutdownWarning(grace: number, limit: number | undefined): string | undefined {
  if (limit === undefined || grace <= limit) return undefined;
  return `grace period ${formatDuration(grace)} is above nodeShutdownGracePeriod ${formatDuration(limit)}: node shutdown kills the pod early; lower drain-timeout`;
}
