import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ApiCall } from './api-route';
import { pathParam, sendJson, zoomDate } from './http-util';
import {
  LICENSED,
  LIST_MAXIMUM,
  assistantsOf,
  findLink,
  linkAssistant,
  unlinkWhere,
} from './members';
import type { AccountMember, SandboxState } from './state';

/**
 * The assistants operations of the Users API (S-USERS `userAssistants`, `userAssistantCreate`,
 * `userAssistantsDelete`, `userAssistantDelete`, https://developers.zoom.us/docs/api/users/).
 */

/** `can_manage_host_private_event` sits on each item in the spec, so it is kept per person. */
const AddAssistantsBody = z.object({
  assistants: z
    .array(
      z
        .object({
          id: z.string().min(1).optional(),
          email: z.string().min(1).optional(),
          can_manage_host_private_event: z.boolean().optional(),
        })
        .refine((a) => a.id !== undefined || a.email !== undefined, { message: 'id or email' }),
    )
    .min(1)
    .max(30),
});

type AddEntry = z.output<typeof AddAssistantsBody>['assistants'][number];

/**
 * [UNCONFIRMED] whether Zoom cuts a longer list at the spec's `maximum: 30`: the first 30 added
 * are sent, with no field saying there are more (the spec has none).
 */
export function listAssistants(state: SandboxState, res: Response, call: ApiCall): void {
  const all = assistantsOf(state, call.user.profile.id);
  sendJson(res, 200, { assistants: all.slice(0, LIST_MAXIMUM) });
}

/** The spec's texts, verbatim, including the space before the colon. */
function notLicensed(who: string): string {
  return `The user must either be a Licensed user or an On-prem user : ${who}.`;
}

/** Zoom's 400 answers for this call carry code 200 (S-USERS `userAssistantCreate`). */
function addError(res: Response, message: string): void {
  sendJson(res, 400, { code: 200, message });
}

function parseAddBody(req: Request, res: Response): AddEntry[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(typeof req.body === 'string' ? req.body : '');
  } catch {
    sendJson(res, 400, { code: 300, message: 'Request Body should be a valid JSON object.' });
    return undefined;
  }
  const parsed = AddAssistantsBody.safeParse(json);
  if (parsed.success) return parsed.data.assistants;
  const errors = parsed.error.issues.map((i) => ({
    field: i.path.join('.'),
    message: 'Invalid field.',
  }));
  sendJson(res, 400, { code: 300, message: 'Validation Failed.', errors });
  return undefined;
}

/**
 * The member an entry names. The spec asks for "either the user's ID or the user's email
 * address": an email is looked up as an email only, so a placeholder such as "(no email)" is
 * not found. [UNCONFIRMED] what Zoom does with both: the id decides, and an email that is not
 * that member's is refused as not found, so an app cannot lean on either being ignored.
 */
function findEntry(state: SandboxState, entry: AddEntry): AccountMember | { missing: string } {
  if (entry.id === undefined) {
    const email = entry.email ?? '';
    return state.findMemberByEmail(email) ?? { missing: email };
  }
  const member = state.members.get(entry.id);
  // [UNCONFIRMED] for a lookup by id the message names the id (the spec shows "$email").
  if (!member) return { missing: entry.id };
  if (entry.email !== undefined && entry.email.toLowerCase() !== member.email.toLowerCase()) {
    return { missing: entry.email };
  }
  return member;
}

/** The refusal for one entry, or the member to add. Order among the checks is [UNCONFIRMED]. */
function checkEntry(
  state: SandboxState,
  ownerId: string,
  entry: AddEntry,
  pending: readonly AccountMember[],
): { member: AccountMember } | { refusal: string } {
  const member = findEntry(state, entry);
  if ('missing' in member) return { refusal: `Can't find user ${member.missing}.` };
  if (member.id === ownerId) return { refusal: "Can't assign scheduling privilege to yourself." };
  if (findLink(state, ownerId, member.id) || pending.some((m) => m.id === member.id)) {
    return { refusal: `User ${member.email} has already granted scheduling privilege.` };
  }
  if (member.type !== LICENSED) return { refusal: notLicensed(member.email) };
  return { member };
}

/**
 * Zoom's answer to a batch in September 2025 (devforum /t/137382): Java's "Duplicate key" from
 * merging two `UserAssistant` views, keyed by a null. The object hashes are the capture's.
 */
function duplicateKeyMessage(): string {
  const view = 'com.saasbee.webapp.api2.userapi.view.UserAssistant';
  return `Duplicate key null (attempted merging values ${view}@57f3466e and ${view}@616228a7)`;
}

/** Whether `addAssistantsIgnored` makes a 201 leave this person out (devforum /t/137382). */
function isIgnored(state: SandboxState, member: AccountMember): boolean {
  const ignored = state.settings.addAssistantsIgnored;
  if (typeof ignored === 'boolean') return ignored;
  const email = member.email.toLowerCase();
  return ignored.some((ref) => ref === member.id || ref.toLowerCase() === email);
}

/**
 * [UNCONFIRMED] what Zoom does when one person of several is refused: every entry is checked
 * first and the first refusal fails the whole request, so nothing is added.
 */
export function addAssistants(
  state: SandboxState,
  req: Request,
  res: Response,
  call: ApiCall,
): void {
  const entries = parseAddBody(req, res);
  if (!entries) return;
  const owner = call.user.profile;
  // Prerequisites: a paid account, and "The user as well as the assistant must have Licensed".
  if (!state.settings.paidAccount) {
    return addError(res, `Current account must be paid account: ${owner.id}`);
  }
  if (owner.type !== LICENSED) return addError(res, notLicensed(owner.id));
  if (state.settings.addAssistantsBatchRefused && entries.length > 1) {
    // [UNCONFIRMED] where among the checks this came: it is placed before the per-person ones.
    state.stats.add_assistants_batch_refused += 1;
    return sendJson(res, 400, { code: -1, message: duplicateKeyMessage() });
  }
  const toAdd: { member: AccountMember; canManagePrivate: boolean }[] = [];
  for (const entry of entries) {
    const pending = toAdd.map((a) => a.member);
    const result = checkEntry(state, owner.id, entry, pending);
    if ('refusal' in result) return addError(res, result.refusal);
    toAdd.push({
      member: result.member,
      canManagePrivate: entry.can_manage_host_private_event ?? false,
    });
  }
  for (const a of toAdd) {
    if (isIgnored(state, a.member)) state.stats.add_assistants_ignored += 1;
    else linkAssistant(state, owner.id, a.member.id, a.canManagePrivate);
  }
  // [UNCONFIRMED] the spec shows `ids` for one person only; several are joined by commas. People
  // left out by `addAssistantsIgnored` are named too: Zoom's answer claimed success.
  const ids = toAdd.map((a) => a.member.id).join(',');
  sendJson(res, 201, { ids, add_at: zoomDate(state.now()) });
}

export function deleteAssistants(state: SandboxState, res: Response, call: ApiCall): void {
  // [UNCONFIRMED] the answer when there are no assistants; assumed 204 like the normal case.
  const ownerId = call.user.profile.id;
  unlinkWhere(state, (l) => l.ownerId === ownerId);
  res.status(204).end();
}

export function deleteAssistant(
  state: SandboxState,
  req: Request,
  res: Response,
  call: ApiCall,
): void {
  const assistantId = pathParam(req, 'assistantId');
  const ownerId = call.user.profile.id;
  const removed = unlinkWhere(state, (l) => l.ownerId === ownerId && l.assistantId === assistantId);
  // An id that is not an assistant: a third party saw 204 (JosephMcEvoy/PSZoom#65); the spec
  // lists only 404 1001. `unknownAssistantDelete` chooses.
  if (removed === 0 && state.settings.unknownAssistantDelete === 404) {
    return sendJson(res, 404, { code: 1001, message: `User does not exist: ${assistantId}.` });
  }
  res.status(204).end();
}
