import type { Party } from '@lab/shared';
import { LANES, LANE_NAMES, exchangesOf, senderOf } from '@lab/shared';
import { labelOf, type DiagramSection } from './trace-to-mermaid.ts';
import { escapeHtml } from './escape-html.ts';

const LANE_WIDTH = 175;
const NUMBER_WIDTH = 34;
const HEADER_HEIGHT = 54;
const SECTION_HEIGHT = 30;
const ROW_HEIGHT = 36;
const LABEL_CHARS = 52;
const COLOURS = { front: '#0b57a4', back: '#6b2fa3', failed: '#b3001b', lane: '#c3cad5', header: '#0f2a47', band: '#eef3fa', decisive: '#ffe58a' } as const;

export interface SequenceSvgOptions {
  readonly appOrigin: string;
  /** Exchange numbers to highlight (the decisive ones), each a link to `#exchange-<n>`. */
  readonly highlight?: ReadonlySet<number>;
}

/**
 * A sequence diagram as inline SVG, for the reports (which must work offline, from one file): a
 * lane per party, an arrow per exchange from the lane that sent it to the one that served it,
 * back-channel arrows dashed, a band per section (a scenario step).
 */
export function renderSequenceSvg(sections: readonly DiagramSection[], options: SequenceSvgOptions): string {
  const drawn = sections
    .map((section) => ({ title: section.title, events: exchangesOf(section.events), collapsed: section.collapsed === true }))
    .filter((section) => section.events.length > 0);
  const used = new Set<Party>(
    drawn.flatMap((section) => (section.collapsed ? [] : section.events.flatMap((event) => [senderOf(event, options.appOrigin), event.to]))),
  );
  const lanes = LANES.filter((party) => used.has(party) || party === 'user-agent' || party === 'bff' || party === 'authserver');
  const width = NUMBER_WIDTH + lanes.length * LANE_WIDTH + 10;
  const rows = drawn.reduce((sum, section) => sum + SECTION_HEIGHT + (section.collapsed ? ROW_HEIGHT : section.events.length * ROW_HEIGHT), 0);
  const height = HEADER_HEIGHT + rows + 10;
  const centre = (party: Party) => NUMBER_WIDTH + (Math.max(lanes.indexOf(party), 0) + 0.5) * LANE_WIDTH;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Sequence diagram of the exchanges">`,
    '<defs>',
    ...(['front', 'back', 'failed'] as const).map(
      (kind) =>
        `<marker id="head-${kind}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${COLOURS[kind]}"/></marker>`,
    ),
    '</defs>',
    `<rect x="0" y="0" width="${width}" height="${HEADER_HEIGHT}" fill="${COLOURS.header}"/>`,
  ];
  for (const party of lanes) {
    const x = centre(party);
    parts.push(`<line x1="${x}" y1="${HEADER_HEIGHT}" x2="${x}" y2="${height}" stroke="${COLOURS.lane}" stroke-width="2"/>`);
    parts.push(...wrappedText(LANE_NAMES[party], x, 22, { fill: '#fff', weight: 700, size: 13, anchor: 'middle' }));
  }

  let y = HEADER_HEIGHT;
  let number = 0;
  for (const section of drawn) {
    parts.push(`<rect x="0" y="${y}" width="${width}" height="${SECTION_HEIGHT - 4}" fill="${COLOURS.band}"/>`);
    parts.push(text(clip(section.title, Math.floor(width / 7.5)), 8, y + 18, { weight: 700, size: 13 }));
    y += SECTION_HEIGHT;
    if (section.collapsed) {
      const span = `${number + 1}–${number + section.events.length}`;
      number += section.events.length;
      parts.push(text(span, NUMBER_WIDTH + 2, y + ROW_HEIGHT - 12, { size: 11, fill: '#4b5563' }));
      parts.push(
        text(`the sign-in, as usual: ${section.events.length} exchanges, in one group (listed under the step)`, NUMBER_WIDTH + 60, y + ROW_HEIGHT - 12, {
          size: 12,
          fill: '#4b5563',
        }),
      );
      y += ROW_HEIGHT;
      continue;
    }
    for (const event of section.events) {
      number += 1;
      const decisive = options.highlight?.has(number) === true;
      if (decisive) parts.push(`<rect x="0" y="${y + 2}" width="${width}" height="${ROW_HEIGHT - 4}" fill="${COLOURS.decisive}"/>`);
      const x1 = centre(senderOf(event, options.appOrigin));
      const x2 = centre(event.to);
      const kind = event.error ? 'failed' : event.channel;
      const lineY = y + ROW_HEIGHT - 9;
      parts.push(text(String(number), NUMBER_WIDTH - 6, lineY, { size: 11, anchor: 'end', fill: '#4b5563' }));
      parts.push(
        `<line x1="${x1}" y1="${lineY}" x2="${x2 === x1 ? x1 + 30 : x2}" y2="${lineY}" stroke="${COLOURS[kind]}" stroke-width="2.5"${event.channel === 'back' ? ' stroke-dasharray="7 5"' : ''} marker-end="url(#head-${kind})"/>`,
      );
      const left = Math.min(x1, x2);
      const anchorRight = left > width * 0.62;
      const label = text(clip(labelOf(event), LABEL_CHARS), anchorRight ? Math.max(x1, x2) - 4 : left + 6, lineY - 7, {
        size: 12,
        mono: true,
        weight: decisive ? 700 : 400,
        anchor: anchorRight ? 'end' : 'start',
        fill: event.error ? COLOURS.failed : '#111827',
      });
      parts.push(decisive ? `<a href="#exchange-${number}" id="diagram-${number}">${label}</a>` : label);
      y += ROW_HEIGHT;
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}

interface TextStyle {
  readonly size?: number;
  readonly weight?: number;
  readonly fill?: string;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly mono?: boolean;
}

function text(content: string, x: number, y: number, style: TextStyle = {}): string {
  const family = style.mono ? "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace" : "system-ui, 'DejaVu Sans', Arial, sans-serif";
  return `<text x="${x}" y="${y}" font-family="${family}" font-size="${style.size ?? 12}" font-weight="${style.weight ?? 400}" fill="${style.fill ?? '#111827'}" text-anchor="${style.anchor ?? 'start'}">${escapeHtml(content)}</text>`;
}

/** A lane name on up to two lines. */
function wrappedText(content: string, x: number, y: number, style: TextStyle): string[] {
  const words = content.split(' ');
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && `${last} ${word}`.length <= 20) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.slice(0, 2).map((line, index) => text(line, x, y + index * 15, style));
}

function clip(content: string, max: number): string {
  return content.length > max ? `${content.slice(0, max - 1)}…` : content;
}
