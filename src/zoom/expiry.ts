/**
 * When a stored access token is still good enough to use. Refreshing on every call is what
 * Zoom's review rejects; refreshing too late makes a call fail. The margin covers the call's
 * own duration and clock skew.
 */
export function isFresh(accessExpiresAt: number, now: number, marginMs: number): boolean {
  return accessExpiresAt - now > marginMs;
}
