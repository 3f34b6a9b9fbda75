import type { CoolDown, ErasedGrant, TokenRecord } from './grant';

/**
 * The sweep's own check of an idle grant (`store/grant-check.ts`): the refresh lock and the
 * record read in one round trip, the refreshed record written and the lock released in one
 * script. Same lock, same compare-and-set, same erase as every refresh; fewer commands.
 */

/** What the sweep's first look at a grant found. */
export type Peek =
  | { readonly kind: 'record'; readonly record: TokenRecord }
  | { readonly kind: 'gone' }
  | { readonly kind: 'unreadable' };

/** A grant whose refresh lock the check holds, with the record read under it. */
export interface HeldGrant {
  readonly userId: string;
  readonly owner: string;
  /** The stored value read under the lock (what the writes compare against). */
  readonly sealed: string;
  readonly record: TokenRecord;
}

export type Begun =
  | { readonly kind: 'held'; readonly grant: HeldGrant }
  /** Someone else holds the lock (or it cools down): nothing held. */
  | { readonly kind: 'busy' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'unreadable' };

export type Kept =
  | { readonly kind: 'written' }
  /** Another grant or a newer refresh was stored meanwhile: left as it is. */
  | { readonly kind: 'superseded' }
  | { readonly kind: 'gone' };

export interface GrantChecks {
  /** The records of a page of users, in one look. */
  peek(userIds: readonly string[]): Promise<Peek[]>;
  /** Takes the user's refresh lock and reads the record under it. */
  begin(userId: string): Promise<Begun>;
  /** Writes the refreshed record over the one read (keeping its TTL) and releases the lock. */
  keep(grant: HeldGrant, next: TokenRecord): Promise<Kept>;
  /** Erases everything of the user if the record is still the one read; null if it changed. */
  erase(grant: HeldGrant): Promise<ErasedGrant | null>;
  /** Frees the lock, or closes it for a cool-down. */
  release(grant: HeldGrant, coolDown?: CoolDown): Promise<void>;
  /** Keeps the lock while Zoom is slow. */
  extend(grant: HeldGrant): Promise<void>;
  readonly lockLifeMs: number;
}
