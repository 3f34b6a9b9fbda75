import { createHash, timingSafeEqual } from 'node:crypto';
import type { PkceChallenge } from './state';

/** RFC 7636: verifiers and plain challenges are 43..128 unreserved characters. */
const VERIFIER_SHAPE = /^[A-Za-z0-9._~-]{43,128}$/;
/** An S256 challenge is base64url(sha256) without padding: exactly 43 chars. */
const S256_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function isValidChallenge(challenge: PkceChallenge): boolean {
  return challenge.method === 'S256'
    ? S256_SHAPE.test(challenge.value)
    : VERIFIER_SHAPE.test(challenge.value);
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A code issued with a challenge needs a matching verifier; one issued without ignores it. */
export function verifyPkce(
  challenge: PkceChallenge | undefined,
  verifier: string | undefined,
): boolean {
  if (!challenge) return true;
  if (verifier === undefined || !VERIFIER_SHAPE.test(verifier)) return false;
  const derived = challenge.method === 'S256' ? s256(verifier) : verifier;
  return sameText(derived, challenge.value);
}
