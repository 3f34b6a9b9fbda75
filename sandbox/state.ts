import { zeroUsage, type DailyUsage } from './daily-limits';
import type { Fault } from './faults';
import type { SandboxOptions } from './options';
import type { RefusalName } from './refusals';
import { SEED_EXTRA_MEMBERS, SEED_USERS, profileOf, type ZoomUserProfile } from './seed';
import { initialSettings, type Settings } from './settings';
import { zeroStats, type Stats } from './stats';
import type { DeliveryAttempt } from './webhook-delivery';

export interface SandboxUser {
  key: string;
  profile: ZoomUserProfile;
}

/** Someone on the account: a demo user or not. `type` 1 = Basic, 2 = Licensed. */
export interface AccountMember {
  id: string;
  email: string;
  type: number;
  pmi: number;
}

/**
 * "assistant has scheduling privilege for owner", stored once: the owner's assistants and the
 * assistant's schedulers are both read from these links, so the two views always agree.
 */
export interface AssistantLink {
  ownerId: string;
  assistantId: string;
  canManagePrivate: boolean;
}

/** One user's authorization of the (single) client; the tokens named here are the only live ones. */
export interface Grant {
  userKey: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
  revoked: boolean;
  revokedAt?: number;
  accessToken?: string;
  refreshToken?: string;
}

export interface PkceChallenge {
  value: string;
  method: 'S256' | 'plain';
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userKey: string;
  scopes: string[];
  challenge?: PkceChallenge;
  expiresAt: number;
}

export interface AccessTokenRecord {
  token: string;
  userKey: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface RefreshTokenRecord {
  token: string;
  userKey: string;
  clientId: string;
  scopes: string[];
}

/** A refresh token that, after `revoke-grant {answer}`, keeps answering one refusal shape. */
export interface RefusedRefreshToken {
  userKey: string;
  refusal: RefusalName;
}

/** Most delivery attempts kept in the log (oldest dropped first). */
const DELIVERY_LOG_LIMIT = 10000;

/** All state of one sandbox instance; nothing lives in module globals. */
export class SandboxState {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  publicUrl = '';
  settings: Settings;
  users = new Map<string, SandboxUser>();
  members = new Map<string, AccountMember>();
  links: AssistantLink[] = [];
  grants = new Map<string, Grant>();
  codes = new Map<string, AuthCode>();
  accessTokens = new Map<string, AccessTokenRecord>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  refusedRefreshTokens = new Map<string, RefusedRefreshToken>();
  sessions = new Map<string, string>();
  faults: Fault[] = [];
  stats: Stats = zeroStats();
  /** Connections already counted in `token_connections`. */
  tokenSockets = new WeakSet<object>();
  clockOffsetMs = 0;
  /** The account's REST calls per rate label on the current UTC day (daily-limits.ts). */
  dailyUsage: DailyUsage = zeroUsage(Date.now());
  /** Every webhook delivery attempt, in order (`GET /_sandbox/webhooks/deliveries`). */
  deliveries: DeliveryAttempt[] = [];
  /** Cancels for scheduled webhook retries; `reset` runs them. */
  readonly pendingRetries = new Set<() => void>();
  /** Bumped by `reset`, so an attempt in flight across a reset neither logs nor retries. */
  deliveryEpoch = 0;
  private readonly opts: SandboxOptions;

  constructor(opts: SandboxOptions) {
    this.opts = opts;
    this.clientId = opts.clientId;
    this.clientSecret = opts.clientSecret;
    this.redirectUris = [...opts.redirectUris];
    this.settings = initialSettings(opts);
    this.reset();
  }

  /** Sandbox clock; `POST /_sandbox/clock` moves it forward to expire codes and tokens. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /**
   * Back to the seed. Behaviour settings return to their start values; the webhook wiring (URL
   * and secret) is kept, since harnesses usually set it once after the app has started.
   * Scheduled webhook retries are cancelled and the delivery log is emptied.
   */
  reset(): void {
    this.users = new Map();
    this.members = new Map();
    this.links = [];
    for (const seed of SEED_USERS) {
      const profile = profileOf(seed);
      this.users.set(seed.key, { key: seed.key, profile });
      this.members.set(seed.id, {
        id: seed.id,
        email: seed.email,
        type: profile.type,
        pmi: seed.pmi,
      });
    }
    for (const m of SEED_EXTRA_MEMBERS) this.members.set(m.id, { ...m });
    for (const seed of SEED_USERS) {
      for (const a of seed.assistants) {
        this.links.push({
          ownerId: seed.id,
          assistantId: a.id,
          canManagePrivate: a.canManagePrivate,
        });
      }
      for (const host of seed.schedulers) {
        this.links.push({ ownerId: host.id, assistantId: seed.id, canManagePrivate: false });
      }
    }
    this.grants = new Map();
    this.codes = new Map();
    this.accessTokens = new Map();
    this.refreshTokens = new Map();
    this.refusedRefreshTokens = new Map();
    this.sessions = new Map();
    this.faults = [];
    this.stats = zeroStats();
    this.tokenSockets = new WeakSet();
    this.clockOffsetMs = 0;
    this.dailyUsage = zeroUsage(this.now());
    for (const cancel of this.pendingRetries) cancel();
    this.pendingRetries.clear();
    this.deliveries = [];
    this.deliveryEpoch += 1;
    this.settings = {
      ...initialSettings(this.opts),
      webhookUrl: this.settings.webhookUrl,
      webhookSecretToken: this.settings.webhookSecretToken,
    };
  }

  logDelivery(attempt: DeliveryAttempt): void {
    this.deliveries.push(attempt);
    if (this.deliveries.length > DELIVERY_LOG_LIMIT) this.deliveries.shift();
  }

  /** A demo user by key ("ada"), Zoom id or email. */
  findUser(ref: string): SandboxUser | undefined {
    const byKey = this.users.get(ref);
    if (byKey) return byKey;
    const lower = ref.toLowerCase();
    for (const user of this.users.values()) {
      if (user.profile.id === ref || user.profile.email.toLowerCase() === lower) return user;
    }
    return undefined;
  }

  findMemberByEmail(email: string): AccountMember | undefined {
    const lower = email.toLowerCase();
    for (const m of this.members.values()) if (m.email.toLowerCase() === lower) return m;
    return undefined;
  }

  /** A member by Zoom id or email. */
  findMember(ref: string): AccountMember | undefined {
    return this.members.get(ref) ?? this.findMemberByEmail(ref);
  }

  activeGrant(userKey: string): Grant | undefined {
    const grant = this.grants.get(userKey);
    return grant && !grant.revoked ? grant : undefined;
  }
}
