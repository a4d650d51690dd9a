import { LitElement, css, html, unsafeCSS } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { Party, TraceEvent } from '@lab/shared';
import { LANES, LANE_NAMES, exchangesOf, groupByAction, senderOf } from '@lab/shared/trace-view';
import { deriveHoldings } from '@lab/shared/trace-holdings';
import { sharedStyles } from './shared-styles.ts';
import { loadLabState } from './lab-state.ts';
import { loadXrayPrefs, saveXrayPrefs, type XrayPrefs } from './xray-prefs.ts';
import { openInstructorView, parseView, takeKeyFromAddress, type XrayView } from './xray-view.ts';
import type { ExchangeSelectEvent } from './xray-sequence.ts';
import type { XrayViewChangeEvent } from './xray-view-switch.ts';
import './xray-clock.ts';
import { learnLabTime } from './lab-now.ts';
import './xray-scenarios.ts';
import './xray-sequence.ts';
import './xray-exchange.ts';
import './xray-holdings.ts';
import './xray-view-switch.ts';

type Connection = 'closed' | 'connecting' | 'live' | 'reconnecting' | 'off';

const STREAM_URL = '/bff/xray/stream';
const STATE_URL = '/bff/xray/state';
const RENDER_EVERY_MS = 150;
const STATE_EVERY_MS = 5_000;
/** The oldest events go beyond this many: a projector shows a few dozen at a time anyway. */
const KEEP_EVENTS = 3_000;
/** The docked X-ray's share of the window; the app keeps the rest, scrolling on its own. */
const DOCKED_HEIGHT = '45vh';

/**
 * LAB ONLY, the X-ray: the whole flow, live, as the lab's services record it. A button opens a
 * panel docked below the app (or filling the window) with the sequence of exchanges between the
 * parties, the selected exchange opened, and who holds which secret. It reads the BFF's trace
 * stream (`GET /bff/xray/stream`, Server-Sent Events) and is no part of the app's pattern.
 * A learner's X-ray shows their own session's exchanges; the instructor's, every session's
 * (`xray-view.ts`). The toolbar says which.
 */
@customElement('xray-panel')
export class XrayPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }

      /* A tab on the right edge, in the page's right margin: it covers none of the page, the
         "What this browser can see" panel included (the anti-pattern mode's tokens are there). */
      .opener {
        position: fixed;
        right: 0;
        top: 50%;
        transform: translateY(-50%);
        writing-mode: vertical-rl;
        padding: 0.9rem 0.35rem;
        border-radius: 8px 0 0 8px;
        z-index: 50;
        box-shadow: 0 4px 14px rgba(15, 42, 71, 0.35);
        background: #0f2a47;
        border-color: #0f2a47;
      }

      .drawer {
        position: fixed;
        left: 0;
        right: 0;
        bottom: 0;
        height: ${unsafeCSS(DOCKED_HEIGHT)};
        z-index: 50;
        display: grid;
        grid-template-rows: auto auto minmax(0, 1fr);
        background: #fff;
        border-top: 4px solid #0f2a47;
        box-shadow: 0 -6px 20px rgba(15, 42, 71, 0.25);
        font-size: 1rem;
      }

      .drawer.full {
        top: 0;
        height: auto;
        border-top: 0;
      }

      .toolbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem 0.45rem;
        padding: 0.35rem 0.6rem;
        background: #0f2a47;
        color: #fff;
      }

      .toolbar h2 {
        margin: 0 0.5rem 0 0;
        font-size: 1.15rem;
      }

      .toolbar button,
      .toolbar select {
        font: inherit;
        font-size: 0.85rem;
        padding: 0.15rem 0.55rem;
        border-radius: 6px;
      }

      .toolbar button {
        background: transparent;
        color: #fff;
        border: 2px solid #8fb3db;
      }

      .toolbar button:hover,
      .toolbar button[aria-pressed='true'] {
        background: #fff;
        color: #0f2a47;
      }

      .toolbar select {
        border: 2px solid #8fb3db;
        background: #fff;
        color: var(--ink);
        max-width: 9.5rem;
      }

      .toolbar label {
        font-size: 0.85rem;
        display: flex;
        gap: 0.25rem;
        align-items: center;
      }

      .grow {
        flex: 1;
      }

      .connection {
        font-size: 0.8rem;
        color: #dbe4ef;
      }

      .connection.live::before {
        content: '● ';
        color: #4cd07d;
      }

      .banner {
        margin: 0;
        padding: 0.4rem 0.75rem;
        background: var(--danger);
        color: #fff;
        font-weight: 700;
        text-align: center;
      }

      .body {
        display: grid;
        grid-template-columns: minmax(0, 1.45fr) minmax(0, 1fr);
        min-height: 0;
      }

      .body.holdings {
        grid-template-columns: minmax(0, 1fr);
      }

      xray-sequence {
        min-height: 0;
        border-right: 2px solid var(--line);
      }

      .detail {
        overflow: auto;
        padding: 0.5rem 0.9rem 1rem;
        min-height: 0;
      }

      xray-holdings {
        display: block;
        padding: 0.5rem 0.75rem;
        min-height: 0;
      }

      .notice {
        padding: 1rem 1.25rem;
      }

      .hint {
        margin: 0;
        padding: 0.3rem 0.75rem;
        background: #fff4d6;
        border-bottom: 1px solid var(--line);
        font-size: 0.9rem;
      }
    `,
  ];

  @state() private prefs: XrayPrefs = { open: false, size: 'docked' };
  @state() private connection: Connection = 'closed';
  @state() private fullView = false;
  /** How far the lab's clock is ahead of real time (`GET /bff/xray/state`); undefined without a lab clock. */
  @state() private clockOffset?: number;
  /** Whether the lab's clock stands still (a step-by-step scenario run holds it between steps). */
  @state() private clockHeld = false;
  /** Which view the stream shows (it says so first); undefined until it has. */
  @state() private view?: XrayView;
  /** The app runs as a public client: its exchanges belong to no BFF session. */
  @state() private publicClient = false;
  @state() private paused = false;
  @state() private tab: 'sequence' | 'holdings' = 'sequence';
  @state() private service: Party | 'all' = 'all';
  @state() private action = 0;
  @state() private selectedId?: string;
  /** Bumped (at most every RENDER_EVERY_MS) when events arrive; the events themselves are kept out of Lit's state. */
  @state() private revision = 0;

  readonly #events = new Map<string, TraceEvent>();
  readonly #waiting = new Map<string, TraceEvent>();
  #source?: EventSource;
  #renderTimer?: ReturnType<typeof setTimeout>;
  #stateTimer?: ReturnType<typeof setInterval>;

  override connectedCallback(): void {
    super.connectedCallback();
    // An instructor's link (`#xray-key=…`): the key leaves the address at once, and opens the X-ray.
    const key = takeKeyFromAddress();
    void loadLabState().then(
      (lab) => (this.publicClient = lab.mode === 'public-client'),
      () => undefined,
    );
    void Promise.all([loadXrayPrefs(), key ? openInstructorView(key) : undefined]).then(([prefs, opened]) => {
      this.prefs = opened === 'opened' ? { ...prefs, open: true } : prefs;
      if (opened === 'opened') void saveXrayPrefs({ open: true });
      if (this.prefs.open) void this.start();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
    shareTheWindow(false);
  }

  protected override updated(): void {
    shareTheWindow(this.prefs.open && this.prefs.size === 'docked');
  }

  override render() {
    if (!this.prefs.open) {
      return html`<button class="opener" data-testid="xray-toggle" aria-expanded="false" @click=${this.toggle}>X-ray: watch the flow</button>`;
    }
    const visible = [...this.#events.values()].filter((event) => !this.prefs.clearedAt || event.time >= this.prefs.clearedAt);
    const exchanges = exchangesOf(visible);
    const groups = groupByAction(exchanges);
    const attacker = exchanges.some((event) => event.to === 'attacker' || event.from === 'attacker');
    const lanes = LANES.filter((lane) => lane !== 'attacker' || attacker);
    const shown = groups
      .filter((group) => this.action === 0 || group.number === this.action)
      .map((group) => ({ ...group, events: group.events.filter((event) => this.touches(event)) }))
      .filter((group) => group.events.length > 0);
    const selected = this.selectedId ? this.#events.get(this.selectedId) : undefined;
    const fullView = this.fullView || visible.some((event) => event.fullView);
    return html`
      <section class="drawer ${this.prefs.size}" data-testid="xray-panel" data-revision=${this.revision} aria-label="X-ray">
        <div class="toolbar">
          <h2 title="LAB ONLY: the lab's trace of every exchange, live">X-ray</h2>
          <button aria-pressed=${this.tab === 'sequence'} data-testid="xray-tab-sequence" @click=${() => (this.tab = 'sequence')}>Sequence</button>
          <button aria-pressed=${this.tab === 'holdings'} data-testid="xray-tab-holdings" @click=${() => (this.tab = 'holdings')}>Who holds what</button>
          <label>
            Service
            <select data-testid="xray-filter-service" @change=${(event: Event) => (this.service = (event.target as HTMLSelectElement).value as Party | 'all')}>
              <option value="all" ?selected=${this.service === 'all'}>all</option>
              ${lanes.map((lane) => html`<option value=${lane} ?selected=${this.service === lane}>${LANE_NAMES[lane]}</option>`)}
            </select>
          </label>
          <label>
            Action
            <select data-testid="xray-filter-action" @change=${(event: Event) => (this.action = Number((event.target as HTMLSelectElement).value))}>
              <option value="0" ?selected=${this.action === 0}>all (${groups.length})</option>
              ${groups.map((group) => html`<option value=${group.number} ?selected=${this.action === group.number}>${group.number}. ${group.label}</option>`)}
            </select>
          </label>
          <span class="grow"></span>
          <xray-scenarios .instructor=${this.view === 'instructor'}></xray-scenarios>
          <xray-clock .offsetSeconds=${this.clockOffset} .held=${this.clockHeld} .instructor=${this.view === 'instructor'}></xray-clock>
          <xray-view-switch .view=${this.view} @xray-view-change=${this.onViewChange}></xray-view-switch>
          <span class="connection ${this.connection}" data-testid="xray-connection" title="${this.#events.size} events received">${this.describeConnection()}</span>
          <button aria-pressed=${this.paused} data-testid="xray-pause" @click=${this.togglePause}>${this.paused ? `Resume (${this.#waiting.size} new)` : 'Pause'}</button>
          <button data-testid="xray-clear" @click=${this.clear}>Clear</button>
          <button data-testid="xray-size" @click=${this.toggleSize}>${this.prefs.size === 'full' ? 'Dock' : 'Full window'}</button>
          <button data-testid="xray-toggle" aria-expanded="true" @click=${this.toggle}>Close</button>
        </div>
        ${
          fullView
            ? html`<p class="banner" role="alert" data-testid="xray-full-view">FULL VIEW: secrets shown unshortened. A real system never exposes this.</p>`
            : this.view === 'session' && this.publicClient
              ? html`<p class="hint" data-testid="xray-public-client-hint">
                Anti-pattern mode: the browser talks to the authorization server and the API itself. Those exchanges belong to no BFF
                session, so only the instructor's view shows them.
              </p>`
              : html`<span></span>`
        }
        ${
          this.connection === 'off'
            ? html`<p class="notice">The X-ray is switched off for this run (<code>LAB_XRAY=off</code>): the BFF has no trace stream.</p>`
            : this.tab === 'sequence'
              ? html`<div class="body">
                <xray-sequence
                  .groups=${shown}
                  .lanes=${lanes}
                  .selectedId=${this.selectedId}
                  .emptyText=${this.view === 'session' ? SESSION_EMPTY_TEXT : undefined}
                  @exchange-select=${this.onSelect}
                ></xray-sequence>
                <div class="detail"><xray-exchange .event=${selected} .sender=${selected ? senderOf(selected, location.origin) : undefined}></xray-exchange></div>
              </div>`
              : html`<div class="body holdings">
                <xray-holdings .holdings=${deriveHoldings(exchanges)} ?attacker=${attacker} @exchange-select=${this.onSelect}></xray-holdings>
              </div>`
        }
      </section>
    `;
  }

  private touches(event: TraceEvent): boolean {
    return this.service === 'all' || event.to === this.service || senderOf(event, location.origin) === this.service;
  }

  private describeConnection(): string {
    switch (this.connection) {
      case 'live':
        return 'live';
      case 'connecting':
        return 'connecting…';
      case 'reconnecting':
        return 'reconnecting…';
      default:
        return '';
    }
  }

  private toggle = async (): Promise<void> => {
    const open = !this.prefs.open;
    this.prefs = { ...this.prefs, open };
    await saveXrayPrefs({ open });
    if (open) await this.start();
    else this.stop();
  };

  private toggleSize = (): void => {
    const size = this.prefs.size === 'full' ? 'docked' : 'full';
    this.prefs = { ...this.prefs, size };
    void saveXrayPrefs({ size });
  };

  private togglePause = (): void => {
    this.paused = !this.paused;
    if (!this.paused) {
      for (const [id, event] of this.#waiting) this.#events.set(id, event);
      this.#waiting.clear();
      this.revision++;
    }
  };

  private clear = (): void => {
    const clearedAt = new Date().toISOString();
    this.#events.clear();
    this.#waiting.clear();
    this.selectedId = undefined;
    this.action = 0;
    this.prefs = { ...this.prefs, clearedAt };
    void saveXrayPrefs({ clearedAt });
  };

  private onViewChange = (event: XrayViewChangeEvent): void => {
    this.restart(event.detail.view);
  };

  /** Another view: what the old stream showed goes, the new stream brings what this one may show. */
  private restart(view: XrayView): void {
    this.view = view;
    this.stop();
    this.#events.clear();
    this.#waiting.clear();
    this.selectedId = undefined;
    this.action = 0;
    void this.start();
  }

  private onSelect = (event: ExchangeSelectEvent): void => {
    this.selectedId = event.detail.id;
    this.tab = 'sequence';
  };

  private async start(): Promise<void> {
    if (this.#source) return;
    this.connection = 'connecting';
    if (!(await this.readState())) {
      this.connection = 'off';
      return;
    }
    const source = new EventSource(STREAM_URL);
    this.#source = source;
    source.onopen = () => {
      this.connection = 'live';
    };
    source.addEventListener('view', (message: MessageEvent<string>) => {
      this.view = parseView((JSON.parse(message.data) as { view?: unknown }).view) ?? this.view;
    });
    source.onmessage = (message: MessageEvent<string>) => this.receive(JSON.parse(message.data) as TraceEvent);
    source.onerror = () => {
      this.connection = source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
    };
    this.#stateTimer = setInterval(() => void this.readState(), STATE_EVERY_MS);
  }

  private stop(): void {
    this.#source?.close();
    this.#source = undefined;
    clearInterval(this.#stateTimer);
    clearTimeout(this.#renderTimer);
    this.#renderTimer = undefined;
    this.connection = 'closed';
  }

  /** Whether the X-ray is on (the BFF answers its state), whether the full view is, and which view this browser gets. */
  private async readState(): Promise<boolean> {
    try {
      const response = await fetch(STATE_URL, { headers: { 'X-CSRF': '1', Accept: 'application/json' }, credentials: 'same-origin' });
      if (response.status === 404) return false;
      if (response.ok) {
        const state = (await response.json()) as { fullView?: boolean; view?: unknown; clock?: { offsetSeconds?: unknown; held?: unknown; now?: unknown } };
        if (typeof state.clock?.now === 'string') learnLabTime(state.clock.now);
        this.fullView = state.fullView === true;
        this.clockOffset = typeof state.clock?.offsetSeconds === 'number' ? state.clock.offsetSeconds : undefined;
        this.clockHeld = state.clock?.held === true;
        // The instructor's cookie expired, or another tab switched: the stream follows.
        const view = parseView(state.view);
        if (view && this.#source && this.view && view !== this.view) this.restart(view);
      }
      return true;
    } catch {
      return true; // the BFF is not reachable now; the stream will keep trying
    }
  }

  /** A new event, or a known one again with its JWT signatures checked: the same id replaces it. */
  private receive(event: TraceEvent): void {
    if (this.paused && !this.#events.has(event.id)) this.#waiting.set(event.id, event);
    else this.#events.set(event.id, event);
    const oldest = this.#events.size > KEEP_EVENTS ? this.#events.keys().next().value : undefined;
    if (oldest !== undefined) this.#events.delete(oldest);
    this.#renderTimer ??= setTimeout(() => {
      this.#renderTimer = undefined;
      this.revision++;
    }, RENDER_EVERY_MS);
  }
}

const SESSION_EMPTY_TEXT =
  "Nothing of this browser's session yet. Sign in and use the app: your own exchanges appear here. Other sessions' show only in the instructor's view.";

/**
 * Docked, the X-ray takes the bottom of the window and the page scrolls in the rest, so that
 * nothing of the app (its "Sign in" button) is hidden under it.
 */
function shareTheWindow(docked: boolean): void {
  const root = document.documentElement.style;
  const body = document.body.style;
  // The root must not scroll, or the body's own overflow would be given to the window instead.
  root.overflow = docked ? 'hidden' : '';
  body.height = docked ? `calc(100vh - ${DOCKED_HEIGHT})` : '';
  body.overflowY = docked ? 'auto' : '';
}

declare global {
  interface HTMLElementTagNameMap {
    'xray-panel': XrayPanel;
  }
}
