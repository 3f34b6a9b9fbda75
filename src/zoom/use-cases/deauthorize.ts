import type { Logger } from '../../log';
import type { TokenManager } from '../token-manager';
import { deauthorizationTime, deauthorizedUserId, type ZoomEvent } from '../webhook';

export interface DeauthorizeDeps {
  readonly tokenManager: Pick<TokenManager, 'endGrant'>;
  readonly clientId: string;
  readonly logger: Logger;
}

export type DeauthorizeOutcome =
  | { readonly kind: 'erased' }
  /** Granted again after the event's time (a late or replayed event): left alone. */
  | { readonly kind: 'newer_grant' }
  | { readonly kind: 'other_app' }
  | { readonly kind: 'no_user' };

/**
 * Zoom's `app_deauthorized`: erases everything of the user, unless the stored grant was made
 * after the deauthorization. `signedAt`: the notification's signed timestamp, when the event
 * carries no time of its own.
 */
export async function deauthorize(
  deps: DeauthorizeDeps,
  event: ZoomEvent,
  signedAt: number,
  ageSeconds: number,
): Promise<DeauthorizeOutcome> {
  const userId = deauthorizedUserId(event);
  if (!userId) return { kind: 'no_user' };
  const clientId = event.payload.client_id;
  if (typeof clientId === 'string' && clientId !== deps.clientId) {
    deps.logger.warn({ userId }, 'app_deauthorized for another client id ignored');
    return { kind: 'other_app' };
  }
  const at = deauthorizationTime(event) ?? signedAt;
  const ending = await deps.tokenManager.endGrant(userId, at);
  // The audit line: who, when Zoom says it happened, what we did. No tokens.
  deps.logger.info(
    {
      audit: 'app_deauthorized',
      userId,
      deauthorizedAt: new Date(at).toISOString(),
      ageSeconds,
      ending,
    },
    ending.kind === 'erased'
      ? 'user deauthorized the app; their data is deleted'
      : 'deauthorization older than the stored grant; the newer grant is kept',
  );
  return { kind: ending.kind };
}
