import { codeChallengeS256, createCodeVerifier } from '../../src/zoom/pkce';

const BASE64URL = /^[A-Za-z0-9_-]+$/;

describe('createCodeVerifier', () => {
  it('is 43 base64url characters (32 random bytes)', () => {
    const verifier = createCodeVerifier();
    expect(verifier).toHaveLength(43);
    expect(verifier).toMatch(BASE64URL);
    expect(Buffer.from(verifier, 'base64url')).toHaveLength(32);
  });

  it('differs on each call', () => {
    const seen = new Set(Array.from({ length: 50 }, () => createCodeVerifier()));
    expect(seen.size).toBe(50);
  });
});

describe('codeChallengeS256', () => {
  // RFC 7636 appendix B: BASE64URL(SHA256(ASCII(verifier))). (The value in the task brief,
  // "E9Melhoa2OwvFr-MKt1jAwZI7ZGO4e8rdRFfXk6y1Vo", is not the RFC's; openssl agrees with this one.)
  it('matches the RFC 7636 appendix B example', () => {
    expect(codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('is an unpadded base64url SHA-256 (43 characters)', () => {
    const challenge = codeChallengeS256(createCodeVerifier());
    expect(challenge).toHaveLength(43);
    expect(challenge).toMatch(BASE64URL);
  });
});
