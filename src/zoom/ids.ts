/** A Zoom user id (an assistant's, a scheduler's): short and url-safe, so it may reach a path. */
const ZOOM_USER_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A form's one-time id, as the page makes it: nothing else becomes a field name in Redis. */
const INTENT_ID = /^[A-Za-z0-9_-]{16,32}$/;
/** A history entry's id, as `newRemoval` makes them (16 base64url characters today). */
const REMOVAL_ID = /^[A-Za-z0-9_-]{1,32}$/;

export function isZoomUserId(v: unknown): v is string {
  return typeof v === 'string' && ZOOM_USER_ID.test(v);
}

export function isRemovalId(v: unknown): v is string {
  return typeof v === 'string' && REMOVAL_ID.test(v);
}

export function isIntentId(v: unknown): v is string {
  return typeof v === 'string' && INTENT_ID.test(v);
}

/** An email as a page showed it: for words only, never sent to Zoom. */
export function shownEmail(v: unknown): string | null {
  if (typeof v !== 'string' || v.length > 254 || !/^[^\s@<>]+@[^\s@<>]+$/.test(v)) return null;
  return v;
}
