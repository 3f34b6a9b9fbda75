import type { Config } from '../config';
import { UNDO_DAYS } from '../zoom/removals';
import { SCOPES } from '../zoom/scopes';
import { APP_NAME, VIEW } from './copy';
import { dataWeKeep, duration } from './data-we-keep';

/**
 * The words of the public pages a Marketplace listing links to — /privacy, /terms, /support,
 * /help — made from the configuration (who runs this installation, how to reach them) and
 * the app's own facts (what it keeps, the scopes, the labels of its buttons), so that they
 * say what this installation does. Rendered by views/document.eta.
 */

/** A run of text, a piece of code, or a link. */
export type Inline =
  string | { readonly code: string } | { readonly href: string; readonly text: string };

export type Block =
  | { readonly kind: 'p'; readonly parts: readonly Inline[] }
  | { readonly kind: 'list'; readonly items: readonly (readonly Inline[])[] }
  | {
      readonly kind: 'table';
      readonly caption: string;
      readonly head: readonly string[];
      readonly rows: readonly (readonly (readonly Inline[])[])[];
    };

export interface PublicDocument {
  readonly heading: string;
  readonly lede: string;
  readonly sections: readonly { readonly heading: string; readonly blocks: readonly Block[] }[];
}

export interface FooterLink {
  readonly href: string;
  readonly label: string;
}

/** Text in which `backticks` mark code. */
export function inline(text: string): Inline[] {
  return text
    .split(/`([^`]+)`/)
    .map((part, i) => (i % 2 === 1 ? { code: part } : part))
    .filter((part) => part !== '');
}

const p = (...parts: (string | Inline)[]): Block => ({
  kind: 'p',
  parts: parts.flatMap((x) => (typeof x === 'string' ? inline(x) : [x])),
});
const list = (...items: string[]): Block => ({ kind: 'list', items: items.map(inline) });

/** Where the footer's links go: the operator's own policy pages when set. */
export function footerLinks(config: Config): FooterLink[] {
  return [
    { href: '/help', label: 'Help' },
    { href: config.operator.privacyPolicyUrl ?? '/privacy', label: 'Privacy' },
    { href: config.operator.termsOfUseUrl ?? '/terms', label: 'Terms of use' },
    { href: '/support', label: 'Support' },
  ];
}

function operatorSentence(config: Config): string {
  const host = new URL(config.zoom.redirectUrl).host;
  return config.operator.name
    ? `${config.operator.name} runs this installation of ${APP_NAME}, at ${host}.`
    : `This installation of ${APP_NAME}, at ${host}, is run by its operator, who has not given a name here.`;
}

function contact(config: Config): Block {
  const email = config.operator.supportEmail;
  return email
    ? p('Write to ', { href: `mailto:${email}`, text: email }, '.')
    : p('This installation has not published a contact address. Ask whoever gave you its address.');
}

const INSTALLED_APPS = 'Zoom App Marketplace → Manage → Installed apps';

export function publicDocuments(config: Config) {
  const facts = dataWeKeep(config);
  const d = VIEW.dashboard;
  const undo = duration(UNDO_DAYS * 24 * 60 * 60 * 1000);
  const history = duration(config.historyDays * 24 * 60 * 60 * 1000);
  const privacyHref = config.operator.privacyPolicyUrl ?? '/privacy';

  const privacy: PublicDocument = {
    heading: 'Privacy policy',
    lede: `${APP_NAME} keeps only what it needs to act on your Zoom account for you, and deletes it when you leave.`,
    sections: [
      { heading: 'Who runs this app', blocks: [p(operatorSentence(config)), contact(config)] },
      {
        heading: 'What is kept, and until when',
        blocks: [
          p(
            'Everything below is kept in the operator’s Redis database, per Zoom user, and nowhere else.',
          ),
          {
            kind: 'table',
            caption: 'What is kept per user',
            head: ['What', 'Deleted when'],
            rows: facts.perUser.map((r) => [inline(r.what), inline(r.deletedWhen)]),
          },
          ...facts.notes.map((n) => p(n)),
        ],
      },
      {
        heading: 'What is not done with it',
        blocks: [
          list(
            'Nothing is sold, rented or shared, and nothing is used for advertising or profiling. The only party the app sends anything to is Zoom, whose API it calls for you.',
            'The app reads only your own profile, your assistants and the people you schedule for — never your meetings, recordings, contacts, chats or files — and acts only on your own account (Zoom’s `me`).',
            'No analytics, no third-party scripts, no tracking: the one cookie is the session cookie that keeps you signed in.',
          ),
        ],
      },
      {
        heading: 'Deleting your data',
        blocks: [
          list(
            `Remove the app in Zoom (${INSTALLED_APPS} → Remove): Zoom tells the app, which deletes everything above.`,
            `Or, on your dashboard, tick “${d.disconnectConfirm}” and press ${d.disconnectButton}: the app revokes its access at Zoom and deletes everything above at once.`,
          ),
          p(
            `Either way your assistants in Zoom stay as they are. Before that, “${VIEW.history.export}” in the History gives you everything it holds about your changes. For anything else about your data, contact the operator (above).`,
          ),
        ],
      },
    ],
  };

  const terms: PublicDocument = {
    heading: 'Terms of use',
    lede: `The terms on which you may use this installation of ${APP_NAME}.`,
    sections: [
      {
        heading: 'The service',
        blocks: [
          p(
            `${APP_NAME} shows the people you have allowed to schedule Zoom meetings for you, removes them, and lets you step down as someone else’s assistant, through Zoom’s API.`,
          ),
          p(operatorSentence(config)),
        ],
      },
      {
        heading: 'Your part',
        blocks: [
          list(
            'Use it for your own Zoom account only, as Zoom’s own terms allow.',
            `You decide every change: removing an assistant takes their privilege away at once. Undo can put back removals of the last ${undo}, and the History keeps every change for ${history}; stepping down can only be reversed by the other person.`,
            'Do not try to disrupt the service or reach other people’s data.',
          ),
        ],
      },
      {
        heading: 'No warranty',
        blocks: [
          p(
            'The service is provided as it is, without warranty of any kind. It depends on Zoom, which may change or limit its API at any time. As far as the law allows, the operator is not liable for any loss arising from its use.',
          ),
        ],
      },
      {
        heading: 'Ending',
        blocks: [
          p(
            'You may stop at any time by removing the app in Zoom or disconnecting it from your dashboard; the operator may end the service at any time. What happens to your data is in the ',
            { href: privacyHref, text: 'privacy policy' },
            '.',
          ),
          p(
            'Zoom is a trademark of Zoom Video Communications, Inc. This app is not made or endorsed by Zoom.',
          ),
        ],
      },
      { heading: 'Contact', blocks: [contact(config)] },
    ],
  };

  const email = config.operator.supportEmail;
  const support: PublicDocument = {
    heading: 'Support',
    lede: 'How to get help with this installation, and what to tell us so we can help quickly.',
    sections: [
      { heading: 'Contact', blocks: [p(operatorSentence(config)), contact(config)] },
      {
        heading: 'What to include',
        blocks: [
          list(
            'The email address of your Zoom account. Never your password or a code from Zoom: nobody here needs them.',
            'What you did, and the exact words the page showed.',
            'When it happened, with your time zone.',
            'Your browser and device.',
          ),
        ],
      },
      {
        heading: 'Before you write',
        blocks: [
          list(
            'Every message on the page says what happened and what to do next; most problems need only that step.',
            `“${d.reconnect}” means Zoom no longer accepts the app’s access (it was removed in Zoom, or a permission is missing): add it to Zoom again.`,
            '“Zoom is limiting requests” means Zoom’s per-account limit was reached; wait the number of seconds shown.',
          ),
          p('How to use and remove the app: ', { href: '/help', text: 'Help' }, '.'),
        ],
      },
      ...(email
        ? [
            {
              heading: 'Security',
              blocks: [
                p(
                  'Report a security problem to the same address; ',
                  { href: '/.well-known/security.txt', text: 'security.txt' },
                  ' says so for tools.',
                ),
              ],
            },
          ]
        : []),
    ],
  };

  const help: PublicDocument = {
    heading: 'Help',
    lede: `How to add ${APP_NAME}, use it and remove it, and what happens to your data.`,
    sections: [
      {
        heading: 'Adding the app',
        blocks: [
          list(
            `Press ${VIEW.landing.addToZoom} on this site’s home page (or Visit Site to Add on the app’s Zoom Marketplace listing).`,
            'Sign in to Zoom if it asks, read the permissions below and press Allow.',
            'You come back to your dashboard. Later, the same button signs you in.',
          ),
          p('Zoom allows assistants only between Licensed users of the same account.'),
        ],
      },
      {
        heading: 'Using it',
        blocks: [
          list(
            `${d.remove}: that person can no longer schedule meetings for you in Zoom, from that moment.`,
            `${d.clearButton(2)} (after ticking the confirmation): the same for everyone at once.`,
            `${VIEW.ends.addHeading}: their Zoom email, whether they may manage your private meetings, and, if you like, an end (a date and a time in your Zoom time zone). ${VIEW.ends.setEnd} on any assistant’s row does the same for someone already there. At the end the app removes them (within 10 minutes, even if you never come back) and the History says “${VIEW.history.ended(1)}”, with ${VIEW.history.undo}. ${VIEW.ends.cancelEnd} keeps them with no end. Disconnecting cancels every end.`,
            `${VIEW.history.undo}: puts back exactly who a removal took, with the setting they had (whether they may manage your private meetings). It is offered right after the removal and in the History for ${undo}, also for someone removed outside this app. Zoom may refuse someone who has left your account or lost their licence; the page says so.`,
            `${VIEW.schedulers.stepDown}, under “${VIEW.schedulers.heading}”: you stop being that person’s assistant in Zoom. Only they can make you their assistant again; there is no Undo.`,
            `${VIEW.history.heading}: every change to who can act for you and for whom you act, for ${history} — made here, or anywhere else (Zoom’s settings, an admin, another app), which the app notices when it next shows your lists. “${VIEW.history.export}” saves it all as a spreadsheet.`,
            `${VIEW.layout.signOut}: ends your session in this browser; the app keeps your access and history until you remove it.`,
          ),
        ],
      },
      {
        heading: 'Removing the app',
        blocks: [
          list(
            `From Zoom: ${INSTALLED_APPS} → ${APP_NAME} → Remove. Zoom tells the app, which deletes everything it keeps for you and signs you out everywhere.`,
            `From the app: at the bottom of your dashboard, tick “${d.disconnectConfirm}” and press ${d.disconnectButton}. The app revokes its access at Zoom and deletes everything it keeps for you.`,
          ),
          p(
            'Either way your assistants stay as they are: removing the app changes nothing else in your Zoom account.',
          ),
        ],
      },
      {
        heading: 'What happens to your data',
        blocks: [
          p(
            'When you remove the app, nothing of yours is left: your encrypted Zoom access, your sessions, your history and your assistants’ ends are deleted in one step. If Zoom’s notice of the removal is lost, the app’s regular check finds it out and deletes them. The ',
            { href: privacyHref, text: 'privacy policy' },
            ' lists everything kept and until when.',
          ),
        ],
      },
      {
        heading: 'The permissions it asks for',
        blocks: [
          {
            kind: 'table',
            caption: 'Zoom permissions (scopes) and why each is needed',
            head: ['Permission', 'Why'],
            rows: SCOPES.map((s) => [[{ code: s.scope }], inline(s.why)]),
          },
        ],
      },
      {
        heading: 'More help',
        blocks: [p('See ', { href: '/support', text: 'Support' }, '.'), contact(config)],
      },
    ],
  };

  return { privacy, terms, support, help };
}

export type PublicDocuments = ReturnType<typeof publicDocuments>;
