import type { Party, TraceEvent } from '@lab/shared';
import { LANES, LANE_NAMES, displayPathOf, exchangesOf, groupByAction, senderOf, urlPathOf } from '@lab/shared';

/** A titled part of a diagram: a scenario step, or a user action. */
export interface DiagramSection {
  readonly title: string;
  readonly events: readonly TraceEvent[];
  /** Drawn as one row (a routine sign-in in a report): its exchanges keep their numbers. */
  readonly collapsed?: boolean;
}

export interface MermaidOptions {
  /** The app's origin, to draw the SPA's own calls from the SPA (default: the lab's default). */
  readonly appOrigin?: string;
}

const IDS: Readonly<Record<Party, string>> = {
  'user-agent': 'UA',
  spa: 'SPA',
  bff: 'BFF',
  authserver: 'AS',
  'resource-api': 'API',
  attacker: 'ATK',
};

/**
 * A trace as a Mermaid `sequenceDiagram`: one participant per party, one arrow per exchange
 * (each call once, see `exchangesOf`), back-channel calls dashed, a note per user action. Labels
 * carry the method, the path and the status, never a query or a body, so nothing secret.
 * @see https://mermaid.js.org/syntax/sequenceDiagram.html
 */
export function traceToMermaid(events: readonly TraceEvent[], options: MermaidOptions = {}): string {
  const sections = groupByAction(exchangesOf(events)).map((group) => ({ title: `${group.number}. ${group.label}`, events: group.events }));
  return sectionsToMermaid(sections, options);
}

/** The same, with a note per section (a scenario's steps) instead of per user action. */
export function sectionsToMermaid(sections: readonly DiagramSection[], options: MermaidOptions = {}): string {
  const appOrigin = options.appOrigin ?? 'http://localhost:5173';
  const drawn = sections.map((section) => ({ title: section.title, events: exchangesOf(section.events) })).filter((section) => section.events.length > 0);
  const used = new Set<Party>(drawn.flatMap((section) => section.events.flatMap((event) => [senderOf(event, appOrigin), event.to])));
  const parties = LANES.filter((party) => used.has(party));
  const lines = ['sequenceDiagram', '    autonumber'];
  for (const party of parties) {
    const keyword = party === 'user-agent' ? 'actor' : 'participant';
    lines.push(`    ${keyword} ${IDS[party]} as ${clean(LANE_NAMES[party])}`);
  }
  const ids = new Map<string, string>();
  const first = parties[0] ?? 'user-agent';
  const last = parties.at(-1) ?? first;
  const span = first === last ? IDS[first] : `${IDS[first]},${IDS[last]}`;
  for (const section of drawn) {
    lines.push(`    Note over ${span}: ${clean(section.title)}`);
    for (const event of section.events) {
      const arrow = event.channel === 'back' ? '-->>' : '->>';
      lines.push(`    ${IDS[senderOf(event, appOrigin)]}${arrow}${IDS[event.to]}: ${clean(labelOf(event, (url) => stablePathOf(url, ids)))}`);
    }
  }
  return lines.join('\n');
}

/** `GET /auth?… → 303`, `POST /token → 200 (back channel)`. */
export function labelOf(event: TraceEvent, pathOf: (url: string) => string = displayPathOf): string {
  const query = /[?#]/.test(event.url) ? '?…' : '';
  const outcome = event.error ? `no answer (${event.error})` : String(event.status ?? '');
  return `${event.method} ${pathOf(event.url)}${query} → ${outcome}${event.channel === 'back' ? ' (back channel)' : ''}`;
}

/**
 * A path with its random ids (interaction uids) named in order of appearance, `{uid}`, `{uid2}`:
 * the same diagram from every run, and the two interactions of a login (sign-in, consent) told apart.
 */
function stablePathOf(url: string, ids: Map<string, string>): string {
  return urlPathOf(url)
    .split('/')
    .map((segment) => {
      if (segment.length <= 16) return segment;
      const known = ids.get(segment);
      if (known) return known;
      const id = ids.size === 0 ? '{uid}' : `{uid${ids.size + 1}}`;
      ids.set(segment, id);
      return id;
    })
    .join('/');
}

/** Mermaid reads `;` as a line break and `#` as an entity, and the text lands in HTML. */
function clean(text: string): string {
  return text.replaceAll(';', ',').replaceAll('#', '♯').replaceAll('<', '‹').replaceAll('>', '›');
}
