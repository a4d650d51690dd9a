import type { Party, TraceEvent } from './trace-event.ts';

/**
 * How the lab draws a trace: which lane an exchange starts from, each exchange once, grouped by
 * user action. Used by the SPA's X-ray (in the browser: this module imports nothing at run time,
 * see `@lab/shared/trace-view`) and by the scenario reports and diagrams (in Node).
 */

/** The lanes of a sequence diagram, left to right. */
export const LANES: readonly Party[] = ['user-agent', 'spa', 'bff', 'authserver', 'resource-api', 'attacker'];

export const LANE_NAMES: Readonly<Record<Party, string>> = {
  'user-agent': 'Resource Owner / User Agent',
  spa: 'SPA (its code in the browser)',
  bff: 'BFF',
  authserver: 'Authorization Server',
  'resource-api': 'Resource API',
  attacker: 'Attacker',
};

/**
 * Where an exchange starts. The services record every browser request as coming from the User
 * Agent; the ones the app's own scripts make (`fetch` with `X-CSRF: 1`, or a cross-origin call
 * that names the app as `Origin`) are drawn from the SPA. Navigations, redirects and form posts
 * stay the User Agent's.
 */
export function senderOf(event: TraceEvent, appOrigin: string): Party {
  if (event.from !== 'user-agent') return event.from;
  const headers = event.requestHeaders;
  return headers['x-csrf'] !== undefined || headers.origin === appOrigin ? 'spa' : 'user-agent';
}

export function urlPathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split(/[?#]/)[0] ?? url;
  }
}

/** A URL's path for a label: long ids (interaction uids) cut to their first characters. */
export function displayPathOf(url: string): string {
  return urlPathOf(url)
    .split('/')
    .map((segment) => (segment.length > 16 ? `${segment.slice(0, 6)}…` : segment))
    .join('/');
}

/**
 * Each exchange once. A call between two lab services is recorded twice, sent and served: the
 * served side is kept (it has the sender as `from`), the sent side only when no service recorded
 * serving it (no answer at all, or a target that records nothing).
 */
export function exchangesOf(events: readonly TraceEvent[]): TraceEvent[] {
  const served = new Set(
    events.filter((event) => event.direction === 'inbound').map((event) => `${event.service}|${event.correlationId}|${event.method}|${urlPathOf(event.url)}`),
  );
  return events
    .filter((event) => event.direction === 'inbound' || !served.has(`${event.to}|${event.correlationId}|${event.method}|${urlPathOf(event.url)}`))
    .sort(byStartTime);
}

/** Start time, then the enclosing exchange (the longer one) first. */
export function byStartTime(a: TraceEvent, b: TraceEvent): number {
  return a.time.localeCompare(b.time) || endTimeOf(b) - endTimeOf(a) || a.seq - b.seq;
}

export function endTimeOf(event: TraceEvent): number {
  return Date.parse(event.time) + event.durationMs;
}

/** One user action: the exchanges one click (or page load) caused. */
export interface ActionGroup {
  /** 1, 2, 3... in time order. */
  readonly number: number;
  readonly label: string;
  readonly events: readonly TraceEvent[];
}

/**
 * Groups exchanges by user action: the back-channel calls of a request share its correlation id;
 * browser requests that follow each other without an idle gap (a redirect chain, a page and its
 * API calls) are one action; a pause starts the next one, and so does a request only a person
 * makes (a click on "Sign in", a form sent), however fast a test browser goes.
 */
export function groupByAction(exchanges: readonly TraceEvent[], idleGapMs = 1500): ActionGroup[] {
  const groups: Array<{ events: TraceEvent[]; end: number }> = [];
  const groupOf = new Map<string, { events: TraceEvent[]; end: number }>();
  for (const event of [...exchanges].sort(byStartTime)) {
    const start = Date.parse(event.time);
    let group = groupOf.get(event.correlationId);
    const last = groups.at(-1);
    if (!group) group = last && start - last.end <= idleGapMs && !startsAnAction(event) ? last : undefined;
    if (!group) {
      group = { events: [], end: start };
      groups.push(group);
    }
    group.events.push(event);
    group.end = Math.max(group.end, endTimeOf(event));
    groupOf.set(event.correlationId, group);
  }
  return groups.map((group, index) => ({ number: index + 1, label: labelOf(group.events), events: group.events }));
}

const ACTION_LABELS: ReadonlyArray<[RegExp, string]> = [
  [/^GET \/bff\/login$/, 'Sign in: the BFF starts the login'],
  [/^GET \/auth$/, 'Authorization request'],
  [/^POST \/interaction\/[^/]+\/login$/, 'The user sends the login form'],
  [/^POST \/interaction\/[^/]+\/confirm$/, 'The user consents'],
  [/^POST \/interaction\/[^/]+\/abort$/, 'The user cancels'],
  [/^GET \/bff\/callback$/, 'Back at the app: the callback'],
  [/^GET \/bff\/user$/, 'The app loads: who is signed in?'],
  [/^GET \/api\/notes$/, 'The app loads the notes'],
  [/^POST \/api\/notes$/, 'The user adds a note'],
  [/^POST \/bff\/logout$/, 'Sign out'],
  [/^GET \/session\/end$/, 'Sign out at the authorization server'],
  [/^POST \/session\/end\/confirm$/, 'The user confirms the sign-out there'],
  [/^POST \/token$/, 'Token request'],
];

/** Requests the user's own click or form starts: sign-in, the login and consent forms, sign-out, a new note. */
const USER_STARTED: readonly RegExp[] = [
  /^GET \/bff\/login$/,
  /^POST \/interaction\/[^/]+\/(login|confirm|abort)$/,
  /^POST \/bff\/logout$/,
  /^POST \/session\/end\/confirm$/,
  /^POST \/api\/notes$/,
];

function startsAnAction(event: TraceEvent): boolean {
  const key = `${event.method} ${urlPathOf(event.url)}`;
  return event.channel === 'front' && USER_STARTED.some((pattern) => pattern.test(key));
}

function labelOf(events: readonly TraceEvent[]): string {
  const first = events.find((event) => event.channel === 'front') ?? events[0];
  if (!first) return '';
  const key = `${first.method} ${urlPathOf(first.url)}`;
  if (first.to === 'attacker') return `The attacker's site: ${key}`;
  return ACTION_LABELS.find(([pattern]) => pattern.test(key))?.[1] ?? key;
}
