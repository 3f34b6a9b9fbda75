import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createCodeVerifier } from './pkce';

/**
 * The OAuth authorization round trip, as pure steps: begin one (a fresh state and PKCE
 * verifier, kept in the visitor's session), and check the callback against the ones pending.
 * The route only dispatches on the result.
 */

export interface PendingAuthorization {
  readonly state: string;
  readonly codeVerifier: string;
  readonly expiresAt: number;
}

export const AUTHORIZATION_LIFETIME_MS = 10 * 60 * 1000;
/** A few installs may be in flight at once (several tabs); older ones are dropped. */
export const MAX_PENDING = 5;
const MAX_PARAM_LENGTH = 2048;

/** 256 random bits: far past the 128 a state needs, at no cost. */
export function newState(): string {
  return randomBytes(32).toString('base64url');
}

/** A new round trip, added to those still pending (expired ones and the oldest dropped). */
export function beginAuthorization(
  pending: readonly PendingAuthorization[] | undefined,
  now: number,
): { readonly started: PendingAuthorization; readonly pending: PendingAuthorization[] } {
  const started = {
    state: newState(),
    codeVerifier: createCodeVerifier(),
    expiresAt: now + AUTHORIZATION_LIFETIME_MS,
  };
  const live = (pending ?? []).filter((p) => p.expiresAt > now);
  return { started, pending: [...live, started].slice(-MAX_PENDING) };
}

export type CallbackCheck =
  /** The user pressed Deny at Zoom's consent. */
  | { readonly kind: 'denied' }
  /** Zoom sent another error. */
  | { readonly kind: 'zoom_error' }
  /** A parameter repeated, not text, or absurdly long. */
  | { readonly kind: 'malformed' }
  | { readonly kind: 'no_code' }
  /** A code without our state: an install from the Marketplace's "Add" button. */
  | { readonly kind: 'no_state' }
  /** A state we did not issue, already used, or older than its lifetime. */
  | { readonly kind: 'expired' }
  | { readonly kind: 'ok'; readonly code: string; readonly codeVerifier: string };

export interface CheckedCallback {
  readonly check: CallbackCheck;
  /** The pending round trips to keep: the one named by the state is spent, whatever follows. */
  readonly pending: PendingAuthorization[];
}

/** A single text parameter: undefined if absent, null if repeated, not text or too long. */
function param(query: Record<string, unknown>, name: string): string | undefined | null {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > MAX_PARAM_LENGTH) return null;
  return v;
}

export function checkCallback(
  query: Record<string, unknown>,
  pending: readonly PendingAuthorization[] | undefined,
  now: number,
): CheckedCallback {
  const live = (pending ?? []).filter((p) => p.expiresAt > now);
  const code = param(query, 'code');
  const state = param(query, 'state');
  const error = param(query, 'error');
  if (code === null || state === null || error === null) {
    return { check: { kind: 'malformed' }, pending: live };
  }
  const named = state ? live.find((p) => sameSecret(p.state, state)) : undefined;
  const rest = named ? live.filter((p) => p !== named) : live;
  if (error !== undefined) {
    return { check: { kind: error === 'access_denied' ? 'denied' : 'zoom_error' }, pending: rest };
  }
  if (!code) return { check: { kind: 'no_code' }, pending: rest };
  if (!state) return { check: { kind: 'no_state' }, pending: live };
  if (!named) return { check: { kind: 'expired' }, pending: rest };
  return { check: { kind: 'ok', code, codeVerifier: named.codeVerifier }, pending: rest };
}

/** Constant-time comparison of two strings of any length. */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
