import type { Request, Response } from 'express';
import type { z } from 'zod';
import { sendJson } from './http-util';
import type { SandboxState, SandboxUser } from './state';

type Parsed<T> = { ok: true; data: T } | { ok: false };

/** Parses a JSON body or answers 400 with the schema's complaints. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  req: Request,
  res: Response,
): Parsed<z.output<S>> {
  const body: unknown = req.body ?? {};
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, data: result.data };
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
  sendJson(res, 400, { error: 'invalid body', issues });
  return { ok: false };
}

export function userOr404(
  state: SandboxState,
  ref: string,
  res: Response,
): SandboxUser | undefined {
  const user = state.findUser(ref);
  if (!user) sendJson(res, 404, { error: `unknown user: ${ref}` });
  return user;
}

/** `{}` (everyone) without a user; undefined after answering 404 for an unknown one. */
export function targetUsers(
  state: SandboxState,
  ref: string | undefined,
  res: Response,
): { userKey?: string } | undefined {
  if (ref === undefined) return {};
  const user = userOr404(state, ref, res);
  return user ? { userKey: user.key } : undefined;
}
