import { derivedPmi, derivedUserId } from './ids';
import type { AccountMember, AssistantLink, SandboxState } from './state';

/** An item of `GET /users/{id}/assistants` (S-USERS `userAssistants`). */
export interface Assistant {
  id: string;
  email: string;
  can_manage_host_private_event: boolean;
}

/** An item of `GET /users/{id}/schedulers` (S-USERS `userSchedulers`). */
export interface Scheduler {
  id: string;
  email: string;
  pmi: number;
}

/**
 * Zoom's list answers hold at most this many (`maximum: 30` on both arrays in S-USERS, no paging),
 * though Zoom's help sets no limit on how many people can hold scheduling privilege.
 */
export const LIST_MAXIMUM = 30;

/** Zoom's "Licensed" user type (S-USERS `user`: 1 Basic, 2 Licensed). */
export const LICENSED = 2;
export const BASIC = 1;

/** The people to whom `ownerId` gave scheduling privilege, in the order they were added. */
export function assistantsOf(state: SandboxState, ownerId: string): Assistant[] {
  const out: Assistant[] = [];
  for (const link of state.links) {
    const m = link.ownerId === ownerId ? state.members.get(link.assistantId) : undefined;
    if (m)
      out.push({ id: m.id, email: m.email, can_manage_host_private_event: link.canManagePrivate });
  }
  return out;
}

/** The people for whom `assistantId` is an assistant. */
export function schedulersOf(state: SandboxState, assistantId: string): Scheduler[] {
  const out: Scheduler[] = [];
  for (const link of state.links) {
    const m = link.assistantId === assistantId ? state.members.get(link.ownerId) : undefined;
    if (m) out.push({ id: m.id, email: m.email, pmi: m.pmi });
  }
  return out;
}

export function findLink(
  state: SandboxState,
  ownerId: string,
  assistantId: string,
): AssistantLink | undefined {
  return state.links.find((l) => l.ownerId === ownerId && l.assistantId === assistantId);
}

/** Adds the link, or only updates its setting when it exists and one is given. */
export function linkAssistant(
  state: SandboxState,
  ownerId: string,
  assistantId: string,
  canManagePrivate?: boolean,
): void {
  const existing = findLink(state, ownerId, assistantId);
  if (existing) {
    if (canManagePrivate !== undefined) existing.canManagePrivate = canManagePrivate;
    return;
  }
  state.links.push({ ownerId, assistantId, canManagePrivate: canManagePrivate ?? false });
}

/** Removes the links that match; returns how many went. */
export function unlinkWhere(state: SandboxState, match: (l: AssistantLink) => boolean): number {
  const before = state.links.length;
  state.links = state.links.filter((l) => !match(l));
  return before - state.links.length;
}

/** A member by email, created (Licensed, stable id and PMI) if the account has none. */
export function ensureMember(state: SandboxState, email: string): AccountMember {
  const existing = state.findMemberByEmail(email);
  if (existing) return existing;
  const member = { id: derivedUserId(email), email, type: LICENSED, pmi: derivedPmi(email) };
  state.members.set(member.id, member);
  return member;
}

/** The only writer of a member's licence: a demo user's profile follows its member record. */
export function setMemberType(state: SandboxState, member: AccountMember, type: number): void {
  member.type = type;
  for (const user of state.users.values()) {
    if (user.profile.id === member.id) user.profile.type = type;
  }
}

/** Removes someone from the account; every link that names them goes too. */
export function removeMember(state: SandboxState, member: AccountMember): void {
  state.members.delete(member.id);
  unlinkWhere(state, (l) => l.ownerId === member.id || l.assistantId === member.id);
}

export function isDemoUser(state: SandboxState, memberId: string): boolean {
  for (const user of state.users.values()) if (user.profile.id === memberId) return true;
  return false;
}
