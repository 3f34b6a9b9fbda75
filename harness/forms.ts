import { decodeEntities, type Page } from './browser';

/** A form of a page as a person meets it: its button's name, where it posts, what it carries. */
export interface PageForm {
  readonly action: string;
  readonly button: string;
  readonly fields: Record<string, string>;
}

/** Every POST form of the page, with its hidden fields and its submit button's accessible name. */
export function formsOf(page: Page): PageForm[] {
  return [...page.text.matchAll(/<form\b[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/g)].map((m) => {
    const open = m[0].slice(0, m[0].indexOf('>'));
    const body = m[1] ?? '';
    const fields: Record<string, string> = {};
    for (const f of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields[f[1] ?? ''] = decodeEntities(f[2] ?? '');
    }
    const button = /<button([^>]*)>([^<]*)<\/button>/.exec(body);
    const label = /aria-label="([^"]*)"/.exec(button?.[1] ?? '')?.[1];
    return {
      action: decodeEntities(/action="([^"]*)"/.exec(open)?.[1] ?? ''),
      button: decodeEntities((label ?? button?.[2] ?? '').trim()),
      fields,
    };
  });
}

/** The form whose submit button is named `name` (its aria-label, else its text). */
export function formNamed(page: Page, name: string): PageForm {
  const form = formsOf(page).find((f) => f.button === name);
  if (!form) throw new Error(`no form with a button named ${JSON.stringify(name)}`);
  return form;
}

/** The form that posts to `action`. */
export function formTo(page: Page, action: string): PageForm {
  const form = formsOf(page).find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form;
}
