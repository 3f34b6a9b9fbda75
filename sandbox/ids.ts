import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Opaque bearer/refresh tokens; the prefix lets tests grep logs for leaked tokens. */
export function newAccessToken(): string {
  return `sbx_at_${randomBytes(32).toString('base64url')}`;
}

export function newRefreshToken(): string {
  return `sbx_rt_${randomBytes(32).toString('base64url')}`;
}

export function newAuthCode(): string {
  return randomBytes(24).toString('base64url');
}

export function newSessionId(): string {
  return randomBytes(24).toString('base64url');
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function randomBase64Url(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function newRequestId(): string {
  return randomUUID();
}

/**
 * Zoom user ids are 22 base64url chars. Ids for members created at run time are derived from
 * the email so the same email keeps the same id across resets (stable test fixtures).
 */
export function derivedUserId(email: string): string {
  return createHash('sha256')
    .update(`zoom-sandbox-member:${email.toLowerCase()}`)
    .digest('base64url')
    .slice(0, 22);
}

/** A 10-digit PMI for a member created at run time, stable per email like its id. */
export function derivedPmi(email: string): number {
  const hash = createHash('sha256').update(`zoom-sandbox-pmi:${email.toLowerCase()}`).digest();
  return 1000000000 + (hash.readUInt32BE(0) % 9000000000);
}
