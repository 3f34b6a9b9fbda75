/** The fixed demo world every sandbox starts with and `reset` restores. */

export const ACCOUNT_ID = 'SawHKrbcLKZeV0bcIhntNw';

export interface ZoomUserProfile {
  id: string;
  first_name: string;
  last_name: string;
  display_name: string;
  email: string;
  type: number;
  role_name: string;
  role_id: string;
  pmi: number;
  use_pmi: boolean;
  personal_meeting_url: string;
  timezone: string;
  verified: number;
  dept: string;
  created_at: string;
  user_created_at: string;
  last_login_time: string;
  last_client_version: string;
  language: string;
  phone_number: string;
  status: 'active' | 'inactive' | 'pending';
  account_id: string;
  account_number: number;
  cluster: string;
  login_types: number[];
  group_ids: string[];
  im_group_ids: string[];
  jid: string;
  job_title: string;
  location: string;
}

/** Someone on the account (not necessarily a demo user). `type` 1 = Basic, 2 = Licensed. */
export interface SeedMember {
  id: string;
  email: string;
  type: 1 | 2;
  pmi: number;
}

/** One of a demo user's assistants, with the per-person setting Zoom keeps for each. */
export interface SeedAssistant {
  id: string;
  email: string;
  canManagePrivate: boolean;
}

export interface SeedUser {
  key: string;
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  roleName: string;
  pmi: number;
  timezone: string;
  assistants: SeedAssistant[];
  /** Members for whom this user is an assistant (the user's "schedulers"). */
  schedulers: SeedMember[];
}

const GRACE_ASSISTANT: SeedMember = {
  id: 'uCvltJ6axW4hFfR0kAqF4g',
  email: 'grace.assistant@example.com',
  type: 2,
  pmi: 3815552121,
};
const ALAN_ASSISTANT: SeedMember = {
  id: 'Ph26q72nDjUdy5ODkxTQUA',
  email: 'alan.assistant@example.com',
  type: 2,
  pmi: 3815552222,
};
const KATHERINE_ASSISTANT: SeedMember = {
  id: 's8B6GIiYc_ipeiU-rzG5GA',
  email: 'katherine.assistant@example.com',
  type: 2,
  pmi: 3815552323,
};
const MARGARET_ASSISTANT: SeedMember = {
  id: 'TTBbUkMOXOqZ6rkFANrucQ',
  email: 'margaret.assistant@example.com',
  type: 2,
  pmi: 3815552424,
};
/** A member nobody has as assistant yet, so `POST /assistants` by email can succeed. */
const EDSGER_MEMBER: SeedMember = {
  id: 'gdWykqteabP4hAsOkaQQ6Q',
  email: 'edsger@example.com',
  type: 2,
  pmi: 3815552525,
};
/** Basic (unlicensed) members: adding them answers Zoom's licence refusal. */
const BARBARA_BASIC: SeedMember = {
  id: 'bLsk0vBas1cUsr0000001A',
  email: 'barbara.basic@example.com',
  type: 1,
  pmi: 3815552626,
};
const NIKLAUS_BASIC: SeedMember = {
  id: 'nWrth0Bas1cUsr0000002B',
  email: 'niklaus.basic@example.com',
  type: 1,
  pmi: 3815552727,
};
/** Hosts who made a demo user their assistant (they appear in that user's schedulers). */
const CHARLES_HOST: SeedMember = {
  id: 'cBbg3HostSchdlr000003C',
  email: 'charles.host@example.com',
  type: 2,
  pmi: 3815553131,
};
const MARY_HOST: SeedMember = {
  id: 'mSmv1HostSchdlr000004D',
  email: 'mary.host@example.com',
  type: 2,
  pmi: 3815553232,
};
const HOWARD_HOST: SeedMember = {
  id: 'hAkn2HostSchdlr000005E',
  email: 'howard.host@example.com',
  type: 2,
  pmi: 3815553333,
};

function assistant(m: SeedMember, canManagePrivate: boolean): SeedAssistant {
  return { id: m.id, email: m.email, canManagePrivate };
}

export const SEED_USERS: readonly SeedUser[] = [
  {
    key: 'ada',
    id: 'UeFKIF6VN92O02c6VqJL8w',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@example.com',
    roleName: 'Owner',
    pmi: 3815551212,
    timezone: 'Europe/London',
    assistants: [
      assistant(GRACE_ASSISTANT, false),
      assistant(ALAN_ASSISTANT, true),
      assistant(KATHERINE_ASSISTANT, false),
    ],
    schedulers: [CHARLES_HOST, MARY_HOST],
  },
  {
    key: 'grace',
    id: 'yTNvvRuFTRwON-ic7INcEw',
    firstName: 'Grace',
    lastName: 'Hopper',
    email: 'grace@example.com',
    roleName: 'Member',
    pmi: 3815551313,
    timezone: 'America/New_York',
    assistants: [assistant(MARGARET_ASSISTANT, true)],
    schedulers: [HOWARD_HOST],
  },
  {
    key: 'alan',
    id: 'aE0A1EffNQkrQdnnV0l1vw',
    firstName: 'Alan',
    lastName: 'Turing',
    email: 'alan@example.com',
    roleName: 'Member',
    pmi: 3815551414,
    timezone: 'Europe/London',
    assistants: [],
    schedulers: [],
  },
];

/** Account members who are not demo users (assistants must be members of the same account). */
export const SEED_EXTRA_MEMBERS: readonly SeedMember[] = [
  GRACE_ASSISTANT,
  ALAN_ASSISTANT,
  KATHERINE_ASSISTANT,
  MARGARET_ASSISTANT,
  EDSGER_MEMBER,
  BARBARA_BASIC,
  NIKLAUS_BASIC,
  CHARLES_HOST,
  MARY_HOST,
  HOWARD_HOST,
];

export function profileOf(seed: SeedUser): ZoomUserProfile {
  return {
    id: seed.id,
    first_name: seed.firstName,
    last_name: seed.lastName,
    display_name: `${seed.firstName} ${seed.lastName}`,
    email: seed.email,
    type: 2,
    role_name: seed.roleName,
    role_id: seed.roleName === 'Owner' ? '0' : '2',
    pmi: seed.pmi,
    use_pmi: false,
    personal_meeting_url: `https://example.zoom.us/j/${seed.pmi}`,
    timezone: seed.timezone,
    verified: 1,
    dept: '',
    created_at: '2024-01-15T09:00:00Z',
    user_created_at: '2024-01-15T09:00:00Z',
    last_login_time: '2025-06-01T08:30:00Z',
    last_client_version: '6.4.10.58270(mac)',
    language: 'en-US',
    phone_number: '',
    status: 'active',
    account_id: ACCOUNT_ID,
    account_number: 81234567,
    cluster: 'us05',
    login_types: [100],
    group_ids: [],
    im_group_ids: [],
    jid: `${seed.id.toLowerCase().replace(/[^a-z0-9]/g, '')}@xmpp.zoom.us`,
    job_title: '',
    location: '',
  };
}
