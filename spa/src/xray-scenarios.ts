import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

interface ScenarioSummary {
  id: string;
  title: string;
  kind: string;
}

interface StepStarted {
  runId: string;
  number: number;
  actor: string;
  action: string;
  look?: string;
}

interface RunEnded {
  runId: string;
  pass: boolean;
  failed: string[];
  error?: string;
}

export type XrayScenarioEndedEvent = CustomEvent<{ id: string; pass: boolean }>;

const LIST_URL = '/bff/xray/scenarios';
const RUN_URL = '/bff/xray/scenarios/run';
const STREAM_URL = '/bff/xray/scenarios/run/stream';

/**
 * LAB ONLY: the instructor's scenario launcher in the X-ray. Picks one of the lab's scenarios and
 * runs it against the lab (`POST /bff/xray/scenarios/run`); while it runs, a large box says which
 * step it is at and what to look at, for a projector, while its exchanges arrive in the swim
 * lanes. Renders nothing outside the instructor's view (the BFF refuses a learner anyway).
 * @fires xray-scenario-ended - a run this element started ended; `detail` has its id and whether it passed
 */
@customElement('xray-scenarios')
export class XrayScenarios extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.3rem;
      font-size: 0.85rem;
    }
    select,
    button {
      font: inherit;
      padding: 0.1rem 0.45rem;
      border-radius: 6px;
    }
    select {
      max-width: 14rem;
    }
    .error {
      color: #ffb4b4;
    }
    /* Above the app, not over the swim lanes: the audience reads the step and watches the lanes. */
    .stage {
      position: fixed;
      top: 0.75rem;
      left: 50%;
      transform: translateX(-50%);
      width: min(60rem, 94vw);
      z-index: 60;
      padding: 0.9rem 1.2rem;
      border-radius: 10px;
      background: #0f2a47;
      color: #fff;
      box-shadow: 0 8px 28px rgba(15, 42, 71, 0.45);
      font-size: 1.6rem;
      line-height: 1.3;
    }
    .stage h3 {
      margin: 0 0 0.3rem;
      font-size: 1rem;
      font-weight: 400;
      color: #dbe4ef;
    }
    .step {
      font-weight: 700;
    }
    .look {
      margin-top: 0.4rem;
      font-size: 2rem;
      color: #ffe8cc;
    }
    .result.pass {
      color: #a6f4b4;
      font-weight: 700;
    }
    .result.fail {
      color: #ffb4b4;
      font-weight: 700;
    }
    .stage button {
      position: absolute;
      top: 0.5rem;
      right: 0.6rem;
      background: transparent;
      color: #fff;
      border: 2px solid #8fb3db;
      font-size: 0.9rem;
    }
  `;

  /** Whether this browser has the instructor's view (only it sees and runs scenarios). */
  @property({ type: Boolean }) instructor = false;
  @state() private scenarios: ScenarioSummary[] = [];
  @state() private selected = '';
  @state() private running?: { runId: string; id: string; title: string };
  @state() private step?: StepStarted;
  @state() private ended?: RunEnded;
  @state() private error = '';

  #source?: EventSource;

  protected override updated(changed: Map<string, unknown>): void {
    if (changed.has('instructor') && this.instructor && this.scenarios.length === 0) void this.loadList();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#source?.close();
  }

  override render() {
    if (!this.instructor) return nothing;
    const busy = this.running !== undefined && this.ended === undefined;
    return html`
      <label>
        Scenario
        <select data-testid="xray-scenarios-select" @change=${(event: Event) => (this.selected = (event.target as HTMLSelectElement).value)}>
          ${this.scenarios.map((scenario) => html`<option value=${scenario.id} title=${scenario.title} ?selected=${this.selected === scenario.id}>${scenario.id}</option>`)}
        </select>
      </label>
      <button data-testid="xray-scenarios-run" ?disabled=${busy || !this.selected} title="Run this scenario against the lab: everybody's lab" @click=${this.run}>
        ${busy ? 'Running…' : 'Run'}
      </button>
      ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
      ${this.running ? this.renderStage(this.running) : nothing}
    `;
  }

  private renderStage(running: { id: string; title: string }) {
    const { step, ended } = this;
    return html`
      <section class="stage" data-testid="xray-scenario-stage" aria-live="polite" aria-label="Scenario run">
        <h3>${running.title}</h3>
        ${
          step
            ? html`<div class="step" data-testid="xray-scenario-step">Step ${step.number}: ${step.actor} ${step.action}</div>
              ${step.look ? html`<div class="look" data-testid="xray-scenario-look">Look at: ${step.look}</div>` : nothing}`
            : html`<div class="step">Starting ${running.id}…</div>`
        }
        ${
          ended
            ? html`<div class="result ${ended.pass ? 'pass' : 'fail'}" data-testid="xray-scenario-result">
              ${ended.pass ? 'Passed: every expectation held.' : `Failed${ended.failed.length > 0 ? `: ${ended.failed.join('; ')}` : ''}${ended.error ? ` (${ended.error})` : ''}`}
            </div>`
            : nothing
        }
        ${ended ? html`<button data-testid="xray-scenario-close" @click=${this.dismiss}>Close</button>` : nothing}
      </section>
    `;
  }

  private async loadList(): Promise<void> {
    try {
      const response = await fetch(LIST_URL, { headers: { 'X-CSRF': '1', Accept: 'application/json' }, credentials: 'same-origin' });
      const body = (await response.json()) as ScenarioSummary[] | { message?: string };
      if (!response.ok || !Array.isArray(body)) {
        this.error = (body as { message?: string }).message ?? `No scenario list (${response.status}).`;
        return;
      }
      this.scenarios = body;
      this.selected ||= body[0]?.id ?? '';
    } catch {
      this.error = 'The BFF is not reachable.';
    }
  }

  private async run(): Promise<void> {
    const scenario = this.scenarios.find((candidate) => candidate.id === this.selected);
    if (!scenario) return;
    this.error = '';
    try {
      const response = await fetch(RUN_URL, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRF': '1', 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ id: scenario.id }),
      });
      const body = (await response.json()) as { runId?: string; message?: string };
      if (response.status !== 202 || !body.runId) {
        this.error = body.message ?? `The scenario did not start (${response.status}).`;
        return;
      }
      this.running = { runId: body.runId, id: scenario.id, title: scenario.title };
      this.step = undefined;
      this.ended = undefined;
      this.follow(body.runId, scenario.id);
    } catch {
      this.error = 'The BFF is not reachable.';
    }
  }

  /** The run's progress: its steps as they start, then its end (the stream repeats what was missed). */
  private follow(runId: string, id: string): void {
    this.#source?.close();
    const source = new EventSource(STREAM_URL);
    this.#source = source;
    source.addEventListener('step', (message: MessageEvent<string>) => {
      const step = JSON.parse(message.data) as StepStarted;
      if (step.runId === runId && step.number >= (this.step?.number ?? 0)) this.step = step;
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED && !this.ended) this.error = "The run's progress is not available (is the instructor's view still open?).";
    });
    source.addEventListener('end', (message: MessageEvent<string>) => {
      const ended = JSON.parse(message.data) as RunEnded;
      if (ended.runId !== runId) return;
      this.ended = ended;
      source.close();
      this.dispatchEvent(new CustomEvent('xray-scenario-ended', { detail: { id, pass: ended.pass }, bubbles: true, composed: true }));
    });
  }

  private dismiss(): void {
    this.running = undefined;
    this.step = undefined;
    this.ended = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'xray-scenarios': XrayScenarios;
  }
}
