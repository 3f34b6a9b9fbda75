import type { GrantRef } from '../grant';
import type { LedgerEntry } from '../ledger';
import type { RemovalHistory } from '../removals';
import type { TokenManager } from '../token-manager';

export interface ExportDeps {
  readonly tokenManager: Pick<TokenManager, 'isCurrent'>;
  readonly history: Pick<RemovalHistory, 'read'>;
}

export type HistoryExport =
  | { readonly kind: 'ready'; readonly entries: readonly LedgerEntry[] }
  | { readonly kind: 'grant_ended' };

/** The user's whole ledger, for as long as their grant is the one this session signed in with. */
export async function exportHistory(
  deps: ExportDeps,
  grant: GrantRef,
  now: number,
): Promise<HistoryExport> {
  if (!(await deps.tokenManager.isCurrent(grant))) return { kind: 'grant_ended' };
  return { kind: 'ready', entries: (await deps.history.read(grant.userId, now)).entries };
}
