import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Who a token is issued to: Zoom's tokens carry these in their (readable) payload. */
export interface TokenClaims {
  readonly clientId: string;
  readonly userId: string;
  readonly accountId: string;
}

/**
 * Tokens shaped and sized like Zoom's: a JWT (three base64url parts, `eyJ…`) signed HS512, with
 * the claims of Zoom's own example response (its Postman collection's "Refresh access token":
 * `{"alg":"HS512","v":"2.0","kid":…}` and `ver, clientId, code, iss, authenticationId, userId,
 * groupNumber, aud, accountId, nbf, exp, tokenType, iat, jti, toleranceId`). With real-looking
 * ids that makes about 790 characters — within what users report seeing; Zoom publishes no
 * length ([UNCONFIRMED], README "Tokens"). Apps must treat them as opaque: only their size and
 * shape matter here, and the signature is random bytes. A test finds a leaked one by its
 * shape (`eyJ…` `.` `eyJ…`).
 */
export function zoomLikeToken(kind: 'access_token' | 'refresh_token', c: TokenClaims): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'HS512', v: '2.0', kid: randomUUID() };
  // The claims of Zoom's example, in its order, with values shaped like real ones.
  const payload = {
    ver: 6,
    clientId: c.clientId,
    code: randomBase64Url(24),
    iss: `urn:zoom:connect:clientid:${c.clientId}`,
    authenticationId: randomHex(16),
    userId: c.userId,
    groupNumber: 0,
    aud: 'https://oauth.zoom.us',
    accountId: c.accountId,
    nbf: now,
    exp: now + (kind === 'access_token' ? 3600 : 90 * 86400),
    tokenType: kind,
    iat: now,
    jti: randomUUID(),
    toleranceId: 26,
  };
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part(header)}.${part(payload)}.${randomBase64Url(64)}`;
}

export function newAccessToken(c: TokenClaims): string {
  return zoomLikeToken('access_token', c);
}

export function newRefreshToken(c: TokenClaims): string {
  return zoomLikeToken('refresh_token', c);
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
