import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DefenceName, LabMode, LabTopology, Party, TraceEvent } from '@lab/shared';
import type { LabConnection } from './lab-connection.ts';

/** Who acts in a step, in the seed's terms (plus the attacker of the theft scenarios). */
export type Actor = 'Resource Owner' | 'User Agent' | 'Client: SPA' | 'Client: BFF' | 'Authorization Server' | 'Resource Server' | 'Attacker';

export type ScenarioKind = 'role' | 'flow' | 'attack';

export interface Expectation {
  readonly name: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly pass: boolean;
  /**
   * Set by `expectLeak` / `checkLeak`: in an attack's weakened run, this expectation holds only
   * because the attack got through (its success, or what follows from it). Against the lab as
   * built it must fail, while every expectation without the mark still holds.
   */
  readonly leak?: true;
}

/** "Who can see what now": one line per party that matters in this step. */
export type Visibility = Partial<Record<'browser' | 'spa' | 'bff' | 'authserver' | 'api' | 'attacker', string>>;

export interface StepRecord {
  readonly number: number;
  readonly actor: Actor;
  readonly action: string;
  /** The one thing to look at in this step. */
  readonly look?: string;
  /** Explanations added while the step ran (what a parameter means, what was found). */
  readonly notes: readonly string[];
  /** The HTTP exchanges the step caused, as the services recorded them (secrets shortened). */
  readonly exchanges: readonly TraceEvent[];
  readonly sees?: Visibility;
  readonly expectations: readonly Expectation[];
  /** A failure that stopped the step (not an expectation): an exception's message. */
  readonly error?: string;
  /** Pictures of the browser taken in the step, for the report (only when the run keeps them). */
  readonly screenshots?: readonly StepScreenshot[];
  /** The moves of the lab's clock this step made (`StepTools.moveLabTime`), in order. */
  readonly timeMoves?: readonly TimeMove[];
}

/** One move of the lab's clock in a step: how far, to when, and what ended in the jump. */
export interface TimeMove {
  readonly seconds: number;
  /** The lab's time after the move (ISO 8601). */
  readonly labTime: string;
  /** What the services reported as expired in the jump, by kind, summed over the services. */
  readonly expired: Readonly<Record<string, number>>;
}

export interface StepScreenshot {
  readonly caption: string;
  /** The PNG, base64. */
  readonly png: string;
}

export interface StepInput {
  readonly actor: Actor;
  readonly action: string;
  readonly look?: string;
}

/** What a step's body can do: check expectations, explain, and say who sees what. */
export interface StepTools {
  /** Checks that `actual` deep-equals `expected`. */
  expect(name: string, expected: unknown, actual: unknown): boolean;
  /** Checks a condition described in words (`expected` is the description). */
  check(name: string, expected: string, actual: unknown, pass: boolean): boolean;
  /**
   * `expect`, for the leak of an attack's weakened run: what holds only because the attack got
   * through (its success, or what follows from it). The test suite replays each weakened run
   * against the lab as built and requires exactly these expectations to fail, and no other.
   */
  expectLeak(name: string, expected: unknown, actual: unknown): boolean;
  /** `check`, for the leak of an attack's weakened run (see `expectLeak`). */
  checkLeak(name: string, expected: string, actual: unknown, pass: boolean): boolean;
  note(line: string): void;
  sees(visibility: Visibility): void;
  /** The exchanges recorded so far in this step (to check a redirect's query, a token response...). */
  exchanges(): Promise<TraceEvent[]>;
  /** A picture of the browser at this point, for the run's report; nothing unless the run keeps screenshots (`--report`). */
  screenshot(page: Page, caption: string): Promise<void>;
  /**
   * "Five minutes later": moves the lab's clock `seconds` forward in every service, together, and
   * the clock of every browser of the run with it (Playwright's `clock`). No scenario waits for
   * real time to make something expire; and nothing expires between steps unless a step says so
   * by calling this. The step's narration says how far the clock moved and what expired.
   */
  moveLabTime(seconds: number): Promise<TimeMove>;
}

export interface ScenarioContext {
  readonly topology: LabTopology;
  readonly lab: LabConnection;
  readonly browser: Browser;
  /** A fresh browser profile (cookies, storage) for one person; closed after the run. */
  newUserAgent(): Promise<BrowserContext>;
  /** Runs one numbered step; an exception inside fails the step and ends the scenario. */
  step<T>(input: StepInput, body: (tools: StepTools) => Promise<T>): Promise<T>;
  /** An HTTP request made outside any browser, recorded in the trace as coming from `as`. */
  fetchAs(as: Party, url: string, init?: RequestInit): Promise<Response>;
}

export interface Scenario {
  /** Kebab-case id used on the command line. */
  readonly id: string;
  readonly title: string;
  readonly kind: ScenarioKind;
  /** What a learner takes away, in one or two sentences. */
  readonly teaches: string;
  /** Who is who and what is set up, read before step 1. */
  readonly prerequisites: readonly string[];
  /** For attacks: the threat and where it is described (RFC 9700 section or draft). */
  readonly threat?: string;
  /** For attacks: the defence this scenario exercises. */
  readonly defence?: DefenceName;
  /** Defences switched off for this run (and restored afterwards). */
  readonly weaken?: readonly DefenceName[];
  /** The lab's mode for this run: the BFF (default) or the anti-pattern, a public client holding tokens. */
  readonly mode?: LabMode;
  /**
   * A set-up the scenario needs beyond the default lab: the operations scenarios need the Redis
   * set-up (`LAB_STORE=redis`, and several BFF instances). `--list` says so; elsewhere they are skipped.
   */
  readonly setup?: ScenarioSetup;
  /** For attacks: which of the two runs this is, and how the lab is set up for the defended one. */
  readonly attack?: { readonly run: 'defended' | 'weakened'; readonly defended: LabSetup };
  run(context: ScenarioContext): Promise<void>;
}

/** The production shape: sessions and grants in Redis, this many BFF instances at least. */
export interface ScenarioSetup {
  readonly store: 'redis';
  readonly bffInstances: number;
}

/** How to start a lab a scenario with this set-up can run in. */
export function describeSetup(setup: ScenarioSetup): string {
  return `LAB_STORE=redis${setup.bffInstances > 1 ? ` LAB_BFF_INSTANCES=${setup.bffInstances}` : ''}`;
}

/** The switches a scenario run sets: defences off, and the mode. */
export interface LabSetup {
  readonly weaken: readonly DefenceName[];
  readonly mode: LabMode;
}

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly kind: ScenarioKind;
  readonly pass: boolean;
  readonly weakened: readonly DefenceName[];
  readonly mode: LabMode;
  readonly durationMs: number;
  readonly steps: readonly StepRecord[];
  readonly expectations: readonly Expectation[];
  readonly error?: string;
}

export function defineScenario(scenario: Scenario): Scenario {
  return scenario;
}
