import { createCodeVerifier, codeChallengeS256 } from '../src/zoom/pkce';
import type { Services } from '../src/compose';
import type { GrantRef } from '../src/zoom/grant';
import { signIn } from '../src/zoom/use-cases/sign-in';

/**
 * A grant for `user` made as the app makes one, without a browser: consent at the sandbox, then
 * the sign-in use-case exchanges the code. For tests of use-cases that run without express.
 */
export async function grantFor(
  services: Services,
  sandboxUrl: string,
  user = 'ada',
): Promise<GrantRef> {
  const verifier = createCodeVerifier();
  const authorize = new URL(
    services.oauth.authorizationUrl({
      state: 'use-case-test',
      codeChallenge: codeChallengeS256(verifier),
    }),
  );
  const consent = await fetch(`${sandboxUrl}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({
      ...Object.fromEntries(authorize.searchParams),
      user,
      decision: 'allow',
    }),
  });
  const code = new URL(consent.headers.get('location') ?? '', sandboxUrl).searchParams.get('code');
  if (!code) throw new Error(`no code from the sandbox (${consent.status})`);
  const outcome = await signIn(services, code, verifier);
  if (outcome.kind !== 'signed_in') throw new Error(`sign-in ended in ${outcome.kind}`);
  return { userId: outcome.user.id, grantId: outcome.grantId };
}
