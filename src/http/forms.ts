import { urlencoded, type Request, type RequestHandler } from 'express';

/** The body parser of every form of ours: small, flat, few fields. */
export const formBody: RequestHandler = urlencoded({
  extended: false,
  limit: '2kb',
  parameterLimit: 10,
});

/** A single string field of a parsed form, or undefined (repeated or absent fields). */
export function formField(req: Request, name: string): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}
