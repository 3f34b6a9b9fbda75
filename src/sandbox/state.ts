import {
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_APP_NAME,
  DEFAULT_GRANT_SCOPES,
  type SandboxOptions,
} from './options';
import { SEED_EXTRA_MEMBERS, SEED_USERS, profileOf, type ZoomUserProfile } from './seed';
import { zeroStats, type Stats } from './stats';
import type { Fault } from './faults';

export interface Assistant {
  id: string;
  email: string;
  can_manage_host_private_event: boolean;
}

export interface SandboxUser {
  key: string;
  profile: ZoomUserProfile;
  assistants: Assistant[];
}

/** Someone on the account who can be made an assistant. */
export interface AccountMember {
  id: string;
  email: string;
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

/** Settings tests may change at run time via `POST /_sandbox/config`. */
export interface Settings {
  accessTokenTtlSeconds: number;
  grantScopes: string[];
  appName: string;
  webhookUrl?: string;
  webhookSecretToken?: string;
}

/** All state of one sandbox instance; nothing lives in module globals. */
export class SandboxState {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  publicUrl = '';
  settings: Settings;
  users = new Map<string, SandboxUser>();
  members = new Map<string, AccountMember>();
  grants = new Map<string, Grant>();
  codes = new Map<string, AuthCode>();
  accessTokens = new Map<string, AccessTokenRecord>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  sessions = new Map<string, string>();
  faults: Fault[] = [];
  stats: Stats = zeroStats();
  clockOffsetMs = 0;
  private readonly initialTtl: number;

  constructor(opts: SandboxOptions) {
    this.clientId = opts.clientId;
    this.clientSecret = opts.clientSecret;
    this.redirectUris = [...opts.redirectUris];
    this.initialTtl = opts.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
    this.settings = {
      accessTokenTtlSeconds: this.initialTtl,
      grantScopes: [...DEFAULT_GRANT_SCOPES],
      appName: DEFAULT_APP_NAME,
      webhookUrl: opts.webhookUrl,
      webhookSecretToken: opts.webhookSecretToken,
    };
    this.reset();
  }

  /** Sandbox clock; `POST /_sandbox/clock` moves it forward to expire codes and tokens. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /**
   * Back to the seed. Behaviour settings (TTL, scopes, app name) return to their start values;
   * the webhook wiring is kept, since harnesses usually set it once after the app has started.
   */
  reset(): void {
    this.users = new Map();
    this.members = new Map();
    for (const seed of SEED_USERS) {
      this.users.set(seed.key, {
        key: seed.key,
        profile: profileOf(seed),
        assistants: seed.assistants.map((a) => ({
          id: a.id,
          email: a.email,
          can_manage_host_private_event: false,
        })),
      });
      this.members.set(seed.id, { id: seed.id, email: seed.email });
    }
    for (const m of SEED_EXTRA_MEMBERS) this.members.set(m.id, { id: m.id, email: m.email });
    this.grants = new Map();
    this.codes = new Map();
    this.accessTokens = new Map();
    this.refreshTokens = new Map();
    this.sessions = new Map();
    this.faults = [];
    this.stats = zeroStats();
    this.clockOffsetMs = 0;
    this.settings = {
      ...this.settings,
      accessTokenTtlSeconds: this.initialTtl,
      grantScopes: [...DEFAULT_GRANT_SCOPES],
      appName: DEFAULT_APP_NAME,
    };
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

  activeGrant(userKey: string): Grant | undefined {
    const grant = this.grants.get(userKey);
    return grant && !grant.revoked ? grant : undefined;
  }
}
