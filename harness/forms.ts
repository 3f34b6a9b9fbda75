import { decodeEntities, type Browser, type Page } from './browser';

/**
 * The forms of a server-rendered page, found as a person finds them: by the accessible name of
 * their submit button (its aria-label, else its text). Attribute order and whitespace in the
 * template do not matter. Enough HTML for the app's own pages: forms do not nest, and every
 * field is an <input>.
 */

export interface PageForm {
  readonly action: string;
  readonly method: string;
  /** The submit button's accessible name. */
  readonly button: string;
  /** Every named input with its value (a checkbox only when checked, as a browser sends it). */
  readonly fields: Record<string, string>;
  /** Checkboxes, checked or not, by name: the value each sends when ticked. */
  readonly checkboxes: Record<string, string>;
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = m[1]?.toLowerCase();
    if (name) attrs[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** What a screen reader announces for some markup: the text, tags gone, spaces collapsed. */
function textOf(markup: string): string {
  return decodeEntities(markup.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function readForm(open: string, body: string): PageForm {
  const form = attributes(open.slice('<form'.length));
  const fields: Record<string, string> = {};
  const checkboxes: Record<string, string> = {};
  let button: string | undefined;
  for (const m of body.matchAll(/<input\b([^>]*)>/gi)) {
    const input = attributes(m[1] ?? '');
    const type = (input.type ?? 'text').toLowerCase();
    if (type === 'submit') button ??= input['aria-label'] ?? input.value ?? '';
    if (input.name === undefined || type === 'submit') continue;
    if (type === 'checkbox' || type === 'radio') {
      checkboxes[input.name] = input.value ?? 'on';
      if ('checked' in input) fields[input.name] = input.value ?? 'on';
    } else {
      fields[input.name] = input.value ?? '';
    }
  }
  for (const m of body.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    const attrs = attributes(m[1] ?? '');
    if ((attrs.type ?? 'submit').toLowerCase() !== 'submit') continue;
    button ??= attrs['aria-label'] ?? textOf(m[2] ?? '');
  }
  return {
    action: form.action ?? '',
    method: (form.method ?? 'get').toUpperCase(),
    button: button ?? '',
    fields,
    checkboxes,
  };
}

const htmlOf = (page: Page | string): string => (typeof page === 'string' ? page : page.text);

/** Every form of the page (or of a part of its HTML), in document order. */
export function formsOf(page: Page | string): PageForm[] {
  return [...htmlOf(page).matchAll(/(<form\b[^>]*>)([\s\S]*?)<\/form>/gi)].map((m) =>
    readForm(m[1] ?? '', m[2] ?? ''),
  );
}

/** A name that is any of these (e.g. a button worded for one and for many). */
export function oneOf(...names: string[]): RegExp {
  return new RegExp(
    `^(?:${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`,
  );
}

/** The forms whose submit button is named `name` (the whole name, or matching the pattern). */
export function formsNamed(page: Page | string, name: string | RegExp): PageForm[] {
  return formsOf(page).filter((f) =>
    typeof name === 'string' ? f.button === name : name.test(f.button),
  );
}

/** The one form whose submit button is named `name`; throws, naming the buttons, if not one. */
export function formNamed(page: Page | string, name: string | RegExp): PageForm {
  const found = formsNamed(page, name);
  if (found.length !== 1) {
    const names = formsOf(page).map((f) => JSON.stringify(f.button));
    throw new Error(
      `${found.length} forms with a button named ${String(name)}; the page has ${names.join(', ') || 'none'}`,
    );
  }
  return found[0] as PageForm;
}

/** The form that posts to `action`. */
export function formTo(page: Page | string, action: string): PageForm {
  const form = formsOf(page).find((f) => f.action === action);
  if (!form) throw new Error(`no form posting to ${action}`);
  return form;
}

export interface SubmitOptions {
  /** Tick every checkbox of the form (a confirmation), as a user would before submitting. */
  tick?: boolean;
  /** Fields to send instead of (or besides) the form's own: a forged or altered submission. */
  fields?: Record<string, string>;
  follow?: boolean;
}

/** Clicks the button named `name` on `page`: posts its form as the browser would. */
export function submit(
  browser: Browser,
  page: Page,
  name: string | RegExp,
  opts: SubmitOptions = {},
): Promise<Page> {
  const form = formNamed(page, name);
  const fields = { ...form.fields, ...(opts.tick ? form.checkboxes : {}), ...opts.fields };
  return browser.postForm(new URL(form.action, page.url).toString(), fields, {
    follow: opts.follow,
  });
}
