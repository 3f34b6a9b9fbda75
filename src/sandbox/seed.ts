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

export interface SeedAssistant {
  id: string;
  email: string;
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
}

const GRACE_ASSISTANT: SeedAssistant = {
  id: 'uCvltJ6axW4hFfR0kAqF4g',
  email: 'grace.assistant@example.com',
};
const ALAN_ASSISTANT: SeedAssistant = {
  id: 'Ph26q72nDjUdy5ODkxTQUA',
  email: 'alan.assistant@example.com',
};
const KATHERINE_ASSISTANT: SeedAssistant = {
  id: 's8B6GIiYc_ipeiU-rzG5GA',
  email: 'katherine.assistant@example.com',
};
const MARGARET_ASSISTANT: SeedAssistant = {
  id: 'TTBbUkMOXOqZ6rkFANrucQ',
  email: 'margaret.assistant@example.com',
};
/** A member nobody has as assistant yet, so `POST /assistants` by email can succeed. */
const EDSGER_MEMBER: SeedAssistant = { id: 'gdWykqteabP4hAsOkaQQ6Q', email: 'edsger@example.com' };

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
    assistants: [GRACE_ASSISTANT, ALAN_ASSISTANT, KATHERINE_ASSISTANT],
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
    assistants: [MARGARET_ASSISTANT],
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
  },
];

/** Account members who are not demo users (assistants must be members of the same account). */
export const SEED_EXTRA_MEMBERS: readonly SeedAssistant[] = [
  GRACE_ASSISTANT,
  ALAN_ASSISTANT,
  KATHERINE_ASSISTANT,
  MARGARET_ASSISTANT,
  EDSGER_MEMBER,
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
