/**
 * Whether an error means "Redis is not answering right now" (as opposed to a bug), so the edge
 * can answer 503 "temporarily unavailable" instead of 500.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  // Redis's own "LOADING ..." reply is upper case at the start; a loose match would take a
  // programming error that mentions "loading" for an outage.
  if (/^LOADING /.test(err.message)) return true;
  // A cluster between two slot maps (a failover, a node restarting): it settles by itself.
  if (/^(CLUSTERDOWN|TRYAGAIN) /.test(err.message)) return true;
  if (/^Too many Cluster redirections|^Failed to refresh slots cache/.test(err.message)) {
    return true;
  }
  if (err.name === 'ClusterAllFailedError') return true;
  return /Connection is closed|Command timed out|Stream isn't writeable|ECONNREFUSED|ETIMEDOUT|ECONNRESET|Reached the max retries/.test(
    err.message,
  );
}
