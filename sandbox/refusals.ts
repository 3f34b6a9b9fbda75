/**
 * Every shape in which Zoom's token endpoint has been seen (or is documented) to refuse a
 * refresh. Used by `POST /_sandbox/faults {target:'token', refusal}` (counted) and by
 * `POST /_sandbox/revoke-grant {user, answer}` (durable). The README lists this table.
 *
 * Numeric codes and texts are from Zoom's OAuth error page
 * (https://developers.zoom.us/docs/integrations/oauth-error-messages/). How a numeric code
 * appears in the body is [UNCONFIRMED]; the sandbox sends `{reason, error, code}`.
 */
export interface Refusal {
  status: number;
  body: Readonly<Record<string, string | number>>;
  /** What Zoom says it means; `deadGrant` = no retry can succeed, the user must re-install. */
  meaning: string;
  deadGrant: boolean;
  source: string;
  unconfirmed?: string;
}

const OAUTH_ERRORS = 'https://developers.zoom.us/docs/integrations/oauth-error-messages/';
const CODE_BODY_UNCONFIRMED = 'body shape of a numeric code';

function coded(
  code: number,
  reason: string,
  error = 'invalid_request',
): Record<string, string | number> {
  return { reason, error, code };
}

export const REFUSALS = {
  invalid_grant: {
    status: 400,
    body: { reason: 'Invalid Token!', error: 'invalid_grant' },
    meaning: 'stale, rotated or revoked refresh token',
    deadGrant: true,
    source: 'https://github.com/raycast/extensions/issues/10896',
  },
  invalid_grant_bare: {
    status: 400,
    body: { error: 'invalid_grant' },
    meaning: 'the same, without a reason',
    deadGrant: true,
    source: 'https://github.com/raycast/extensions/issues/10525',
  },
  invalid_token_request: {
    status: 400,
    body: { reason: 'Invalid Token!', error: 'invalid_request' },
    meaning: 'dead refresh token reported as invalid_request',
    deadGrant: true,
    source:
      'third-party clients handle it as a Zoom answer; Zoom used invalid_request for a bad code too: https://devforum.zoom.us/t/12302',
    unconfirmed: 'no first-hand capture of this exact body is cited',
  },
  owner_gone: {
    status: 400,
    body: coded(4735, 'The owner of the token does not exist.'),
    meaning: 'the user was removed from the account',
    deadGrant: true,
    source: `${OAUTH_ERRORS} (4735)`,
    unconfirmed: CODE_BODY_UNCONFIRMED,
  },
  disabled_by_admin: {
    status: 400,
    body: coded(4738, 'The token is disabled by admin.'),
    meaning: 'an admin turned off pre-approval for the app',
    deadGrant: true,
    source: `${OAUTH_ERRORS} (4738)`,
    unconfirmed: CODE_BODY_UNCONFIRMED,
  },
  tolerance: {
    status: 400,
    body: coded(4740, 'The token ID is out of the token tolerance range.'),
    meaning: 'a (v7) refresh token used more often than allowed',
    deadGrant: true,
    source: `${OAUTH_ERRORS} (4740)`,
    unconfirmed: CODE_BODY_UNCONFIRMED,
  },
  revoked: {
    status: 400,
    body: coded(4741, 'The token has been revoked.'),
    meaning: 'a later authorization replaced this one',
    deadGrant: true,
    source: `${OAUTH_ERRORS} (4741)`,
    unconfirmed: CODE_BODY_UNCONFIRMED,
  },
  scope_mismatch: {
    status: 400,
    body: coded(4711, 'Refresh token invalid.'),
    meaning: "the token's scopes do not match the client's",
    deadGrant: true,
    source: `${OAUTH_ERRORS} (4711)`,
    unconfirmed: CODE_BODY_UNCONFIRMED,
  },
  no_authentication: {
    status: 400,
    body: coded(4737, 'Can not find the authentication for the access token.'),
    meaning: 'Zoom has no record of the refresh token ("request to reauthorize the app")',
    deadGrant: true,
    source: `${OAUTH_ERRORS} (4737)`,
    unconfirmed: CODE_BODY_UNCONFIRMED,
  },
  app_disabled: {
    status: 400,
    body: coded(4717, 'The app has been disabled'),
    meaning: 'the app is disabled (contact Zoom support)',
    deadGrant: false,
    source: `${OAUTH_ERRORS} (4717)`,
    unconfirmed: CODE_BODY_UNCONFIRMED,
  },
  invalid_client: {
    status: 401,
    body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
    meaning: 'wrong client credentials: a configuration problem, not a dead grant',
    deadGrant: false,
    source:
      'body seen in https://github.com/JubaerHossain/zoom-laravel/issues/3; 401 is what RFC 6749 §5.2 asks for Basic auth',
    unconfirmed: 'the status: the one third-party capture shows 400 (see invalid_client_400)',
  },
  invalid_client_400: {
    status: 400,
    body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
    meaning: 'the same body with status 400, as a third party saw it',
    deadGrant: false,
    source: 'https://github.com/JubaerHossain/zoom-laravel/issues/3',
  },
  invalid_client_4702: {
    status: 401,
    body: coded(4702, 'Invalid client.', 'invalid_client'),
    meaning: 'client id does not match',
    deadGrant: false,
    source: `${OAUTH_ERRORS} (4702, 4704 share one row)`,
    unconfirmed: `${CODE_BODY_UNCONFIRMED}; which text goes with 4702 and which with 4704`,
  },
  invalid_client_4704: {
    status: 401,
    body: coded(4704, 'Invalid client secret.', 'invalid_client'),
    meaning: 'client secret does not match',
    deadGrant: false,
    source: `${OAUTH_ERRORS} (4702, 4704 share one row)`,
    unconfirmed: `${CODE_BODY_UNCONFIRMED}; which text goes with 4702 and which with 4704`,
  },
  invalid_client_4706: {
    status: 401,
    body: coded(4706, 'Client ID or client secret is missing.', 'invalid_client'),
    meaning: 'no client credentials were sent',
    deadGrant: false,
    source: `${OAUTH_ERRORS} (4706)`,
    unconfirmed: CODE_BODY_UNCONFIRMED,
  },
  internal: {
    status: 400,
    body: { reason: 'Internal Error', error: 'invalid_request' },
    meaning: 'a Zoom-side failure: invalid_request alone does not mean a dead grant',
    deadGrant: false,
    source: `${OAUTH_ERRORS} (4700 "catch all for unexpected errors")`,
    unconfirmed: 'the exact text and status of an internal error',
  },
} as const satisfies Record<string, Refusal>;

export type RefusalName = keyof typeof REFUSALS;

export const REFUSAL_NAMES = Object.keys(REFUSALS) as [RefusalName, ...RefusalName[]];

export function refusal(name: RefusalName): Refusal {
  return REFUSALS[name];
}
