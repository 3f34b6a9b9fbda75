import { z } from 'zod';
import { classifyZoomFailure, ZoomApiError } from './errors';
import { httpRequest, type HttpAnswer } from './http-request';
import { isZoomUserId } from './ids';

/**
 * Typed calls to the REST endpoints the app uses. Every path names the `me` keyword: the app
 * never puts a user id in a path (a user-level app must not, and this one acts only for the
 * signed-in user). The token goes in the Authorization header only.
 */

export interface ZoomUser {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  /** IANA time zone from the profile, when Zoom gives one. */
  readonly timezone: string | null;
  /** Zoom's rate limits are per account: background work paces each account apart. */
  readonly accountId: string | null;
}

export interface Assistant {
  readonly id: string;
  readonly email: string;
  /** `can_manage_host_private_event`: kept so that an undo puts back exactly what was there. */
  readonly canManagePrivateEvents: boolean;
}

/** Someone the signed-in user is an assistant of (Zoom calls them the user's schedulers). */
export interface Scheduler {
  readonly id: string;
  readonly email: string;
}

export interface ZoomApiSettings {
  /** e.g. https://api.zoom.us/v2 */
  readonly apiUrl: string;
  readonly timeoutMs: number;
}

export class ZoomApiClient {
  constructor(
    private readonly settings: ZoomApiSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async getMe(accessToken: string): Promise<ZoomUser> {
    const body = await this.request('GET', '/users/me', accessToken);
    return parseUser(body);
  }

  async listAssistants(accessToken: string): Promise<Assistant[]> {
    const body = await this.request('GET', '/users/me/assistants', accessToken);
    return parseAssistants(body);
  }

  async deleteAllAssistants(accessToken: string): Promise<void> {
    await this.request('DELETE', '/users/me/assistants', accessToken);
  }

  async deleteAssistant(accessToken: string, assistantId: string): Promise<void> {
    if (!isZoomUserId(assistantId)) {
      throw new ZoomApiError({ kind: 'not_found', zoomMessage: 'not an assistant id' });
    }
    await this.request(
      'DELETE',
      `/users/me/assistants/${encodeURIComponent(assistantId)}`,
      accessToken,
    );
  }

  async listSchedulers(accessToken: string): Promise<Scheduler[]> {
    const body = await this.request('GET', '/users/me/schedulers', accessToken);
    return parseSchedulers(body);
  }

  /** Steps down as the assistant of everyone who made the user theirs. */
  async deleteAllSchedulers(accessToken: string): Promise<void> {
    await this.request('DELETE', '/users/me/schedulers', accessToken);
  }

  /** Steps down as this person's assistant. */
  async deleteScheduler(accessToken: string, schedulerId: string): Promise<void> {
    if (!isZoomUserId(schedulerId)) {
      throw new ZoomApiError({ kind: 'not_found', zoomMessage: 'not a user id' });
    }
    await this.request(
      'DELETE',
      `/users/me/schedulers/${encodeURIComponent(schedulerId)}`,
      accessToken,
    );
  }

  /**
   * Makes these people assistants again, each with the `can_manage_host_private_event` they
   * had (the spec takes it per person). Zoom answers 201; a refusal of one person fails the
   * whole call with 400 code 200 naming them (see putBack in removals.ts).
   */
  async addAssistants(accessToken: string, people: readonly Assistant[]): Promise<void> {
    // By id alone: Zoom takes an id or an email, and its lists may carry no email.
    const assistants = people.map((p) => ({
      id: p.id,
      can_manage_host_private_event: p.canManagePrivateEvents,
    }));
    await this.request('POST', '/users/me/assistants', accessToken, JSON.stringify({ assistants }));
  }

  /**
   * Makes someone an assistant by their email (the form's), with the setting chosen. The same
   * call as an undo's, so its refusals read the same way (400 code 200 naming the person).
   */
  async addAssistantByEmail(
    accessToken: string,
    email: string,
    canManagePrivateEvents: boolean,
  ): Promise<void> {
    const assistants = [{ email, can_manage_host_private_event: canManagePrivateEvents }];
    await this.request('POST', '/users/me/assistants', accessToken, JSON.stringify({ assistants }));
  }

  private async request(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    accessToken: string,
    json?: string,
  ): Promise<unknown> {
    let res: HttpAnswer;
    const headers: Record<string, string> = {
      authorization: `Bearer ${accessToken}`,
      accept: 'application/json',
    };
    if (json !== undefined) headers['content-type'] = 'application/json';
    try {
      res = await httpRequest(
        new URL(this.settings.apiUrl + path),
        method,
        headers,
        this.settings.timeoutMs,
        json,
      );
    } catch (err) {
      // Timeout, refused connection, DNS: the request may not have reached Zoom.
      throw new ZoomApiError({ kind: 'unavailable', cause: err });
    }
    const text = res.body;
    if (res.status >= 300 && res.status < 400) {
      throw new ZoomApiError({ kind: 'unexpected', status: res.status, zoomMessage: 'redirect' });
    }
    if (res.status < 200 || res.status >= 300) {
      const retryAfter = res.headers['retry-after'];
      const limitType = res.headers['x-ratelimit-type'];
      throw classifyZoomFailure(
        res.status,
        text,
        retryAfter ?? null,
        this.now(),
        typeof limitType === 'string' ? limitType : null,
      );
    }
    // 204 No Content (the DELETEs): success, and there is no body to parse.
    if (res.status === 204 || text === '') return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ZoomApiError({
        kind: 'unexpected',
        status: res.status,
        zoomMessage: 'response was not JSON',
      });
    }
  }
}

/** A 200 whose body is not what the spec describes. */
function unexpectedBody(what: string): ZoomApiError {
  return new ZoomApiError({ kind: 'unexpected', status: 200, zoomMessage: what });
}

/** A text field that may be absent or of another type: '' then. */
const text = z.string().catch('');

const UserBody = z.object({
  id: text,
  email: text,
  display_name: text,
  first_name: text,
  last_name: text,
  timezone: text,
  account_id: text,
});

export function parseUser(body: unknown): ZoomUser {
  const parsed = UserBody.safeParse(body);
  if (!parsed.success || typeof body !== 'object' || body === null) {
    throw unexpectedBody('user body is not an object');
  }
  const o = parsed.data;
  if (!o.id) throw unexpectedBody('user has no id');
  const name = o.display_name || [o.first_name, o.last_name].join(' ').trim();
  return {
    id: o.id,
    email: o.email,
    displayName: name || o.email || o.id,
    timezone: o.timezone || null,
    accountId: o.account_id || null,
  };
}

const AssistantItem = z.object({
  id: text,
  email: text,
  can_manage_host_private_event: z.boolean().catch(false),
});

const AssistantsBody = z.object({
  // Zoom omits the array when there are none.
  assistants: z.array(z.unknown()).nullish(),
});

export function parseAssistants(body: unknown): Assistant[] {
  if (typeof body !== 'object' || body === null) {
    throw unexpectedBody('assistants body is not an object');
  }
  const parsed = AssistantsBody.safeParse(body);
  if (!parsed.success) throw unexpectedBody('assistants is not a list');
  const out: Assistant[] = [];
  for (const item of parsed.data.assistants ?? []) {
    const a = AssistantItem.safeParse(item);
    if (!a.success || !a.data.id) continue; // an item Zoom could not have meant
    out.push({
      id: a.data.id,
      email: a.data.email || '(no email)',
      canManagePrivateEvents: a.data.can_manage_host_private_event,
    });
  }
  return out;
}

const SchedulerItem = z.object({ id: text, email: text });
const SchedulersBody = z.object({ schedulers: z.array(z.unknown()).nullish() });

export function parseSchedulers(body: unknown): Scheduler[] {
  if (typeof body !== 'object' || body === null) {
    throw unexpectedBody('schedulers body is not an object');
  }
  const parsed = SchedulersBody.safeParse(body);
  if (!parsed.success) throw unexpectedBody('schedulers is not a list');
  const out: Scheduler[] = [];
  for (const item of parsed.data.schedulers ?? []) {
    const s = SchedulerItem.safeParse(item);
    if (s.success && s.data.id) out.push({ id: s.data.id, email: s.data.email || '(no email)' });
  }
  return out;
}
