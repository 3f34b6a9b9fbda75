import type { SandboxContext } from './context';
import type { SandboxUser } from './state';
import { revokeGrant } from './tokens';
import { deliverWebhook, type DeliveryResult } from './webhook-delivery';
import { appDeauthorizedBody } from './webhooks';

/**
 * Revokes the user's grant and notifies the app with a signed app_deauthorized, as Zoom does
 * after "Remove app" or /oauth/revoke. Unsigned if no Secret Token is configured (the app
 * should then reject it, which surfaces the misconfiguration). Retried like every event.
 */
export async function deauthorize(
  ctx: SandboxContext,
  user: SandboxUser,
): Promise<{ revoked: boolean; delivery: DeliveryResult }> {
  const revoked = revokeGrant(ctx.state, user.key) !== undefined;
  const delivery = await deliverWebhook(ctx, appDeauthorizedBody(ctx, user), { sign: 'valid' });
  return { revoked, delivery };
}

/** The same notification, after an already-done revocation (used by POST /oauth/revoke). */
export function notifyDeauthorized(
  ctx: SandboxContext,
  user: SandboxUser,
): Promise<DeliveryResult> {
  return deliverWebhook(ctx, appDeauthorizedBody(ctx, user), { sign: 'valid' });
}
