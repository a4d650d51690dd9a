import { isDeepStrictEqual } from 'node:util';
import type { Browser, BrowserContext } from 'playwright-core';
import { TRACE_HEADERS, type Party, type TraceEvent } from '@lab/shared';
import type { LabConnection } from './lab-connection.ts';
import { StepPictures } from './step-pictures.ts';
import type {
  Expectation,
  LabSetup,
  Scenario,
  ScenarioContext,
  ScenarioResult,
  StepInput,
  StepRecord,
  StepScreenshot,
  StepTools,
  TimeMove,
  Visibility,
} from './scenario.ts';
import { describeOffset, type ServiceClock } from '../lab-time.ts';
import { whileLabTimeHeld } from './hold-lab-time.ts';
import { BrowserClocks } from './browser-clocks.ts';

export interface RunOptions {
  readonly lab: LabConnection;
  readonly browser: Browser;
  /** Called before each step starts (the CLI's `--step` waits for Enter here). */
  readonly beforeStep?: (input: StepInput, number: number) => Promise<void>;
  /**
   * Step mode: the lab's time stands still while `beforeStep` waits (held in every service, the
   * hold renewed while it lasts, released as the step starts), and every browser of the run is set
   * to the lab's time again after. However long the wait, nothing expires between two steps.
   * `warn` hears when the time could not be held. See `hold-lab-time.ts`.
   */
  readonly holdLabTimeBeforeStep?: { readonly warn: (line: string) => void };
  /** Called when each step ends, for live narration. */
  readonly onStep?: (step: StepRecord) => void;
  /**
   * Runs the scenario with this set-up instead of its own (the test suite runs each weakened
   * attack with its defended twin's set-up, to prove the attack then fails).
   */
  readonly setupOverride?: LabSetup;
  /** Keep the steps' screenshots (`StepTools.screenshot`), for a report (`--report`). */
  readonly reportScreenshots?: boolean;
}

/** Thrown inside a step to end the scenario early; the step records it as its error. */
class StepFailure extends Error {}

/**
 * Runs one scenario against the running lab: switches the scenario's defences off, runs its
 * steps, reads each step's exchanges from the services' traces, and restores the lab after.
 */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const { lab, browser } = options;
  const started = Date.now();
  const steps: StepRecord[] = [];
  const contexts: BrowserContext[] = [];
  const weakened = options.setupOverride?.weaken ?? scenario.weaken ?? [];
  const mode = options.setupOverride?.mode ?? scenario.mode ?? 'bff';
  let error: string | undefined;
  const pictures = new StepPictures();
  const [before, labOffsetMs] = await Promise.all([lab.settings(), readLabOffsetMs(lab)]);
  // Every browser of the run is set to the lab's time (it may run ahead of real time).
  const browserClocks = new BrowserClocks(labOffsetMs);

  // Each call changes settings of its own (a service applies each PUT whole), so they go together.
  await Promise.all([
    lab.setWeakened(weakened),
    lab.setMode(mode),
    // No injected script unless the scenario turns one on (an instructor may have left it on).
    lab.update('spa', { xss: null }),
    // Each run starts from the seed notes, whatever earlier runs (or people) wrote.
    lab.resetNotes(),
  ]);
  const context: ScenarioContext = {
    topology: lab.topology,
    lab,
    browser,
    async newUserAgent() {
      const created = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      contexts.push(created);
      await browserClocks.add(created);
      return created;
    },
    async step<T>(input: StepInput, body: (tools: StepTools) => Promise<T>): Promise<T> {
      const number = steps.length + 1;
      if (options.holdLabTimeBeforeStep) {
        await whileLabTimeHeld(lab, async () => options.beforeStep?.(input, number), options.holdLabTimeBeforeStep.warn);
        // The lab's time stood still while the browsers' ran on: they take the lab's time again (a
        // page whose navigation a step holds, only once it goes on: the step is not kept waiting).
        await browserClocks.follow(contexts, await readLabOffsetMs(lab), 2_000);
      } else {
        await options.beforeStep?.(input, number);
      }
      const marks = await lab.traceMarks();
      const expectations: Expectation[] = [];
      const notes: string[] = [];
      const screenshots: StepScreenshot[] = [];
      const timeMoves: TimeMove[] = [];
      let sees: Visibility | undefined;
      const tools: StepTools = {
        expect(name, expected, actual) {
          const pass = isDeepStrictEqual(expected, actual);
          expectations.push({ name, expected, actual, pass });
          return pass;
        },
        check(name, expected, actual, pass) {
          expectations.push({ name, expected, actual, pass });
          return pass;
        },
        expectLeak(name, expected, actual) {
          const pass = isDeepStrictEqual(expected, actual);
          expectations.push({ name, expected, actual, pass, leak: true });
          return pass;
        },
        checkLeak(name, expected, actual, pass) {
          expectations.push({ name, expected, actual, pass, leak: true });
          return pass;
        },
        note(line) {
          notes.push(line);
        },
        sees(visibility) {
          sees = visibility;
        },
        async screenshot(page, caption) {
          if (!options.reportScreenshots) return;
          try {
            screenshots.push({ caption, png: (await page.screenshot({ type: 'png' })).toString('base64') });
          } catch (thrown) {
            // A picture is an illustration: the story goes on without it.
            notes.push(`(no screenshot "${caption}": ${thrown instanceof Error ? thrown.message.split('\n')[0] : String(thrown)})`);
          }
        },
        async moveLabTime(seconds) {
          const clocks = await lab.moveTime(seconds);
          await browserClocks.follow(contexts, Math.max(0, ...clocks.map(offsetOf)));
          const expired: Record<string, number> = {};
          for (const clock of clocks) {
            for (const [kind, count] of Object.entries(clock.expired ?? {})) expired[kind] = (expired[kind] ?? 0) + count;
          }
          const move: TimeMove = { seconds, labTime: new Date(Date.now() + browserClocks.offsetMs).toISOString(), expired };
          timeMoves.push(move);
          const ended = Object.entries(expired).filter(([, count]) => count > 0);
          notes.push(
            `The lab's clock moves ${describeOffset(seconds)} forward, in every service and the browser (lab time ${move.labTime}). Expired in the jump: ${
              ended.length > 0 ? ended.map(([kind, count]) => `${count} ${kind}`).join(', ') : 'nothing'
            }.`,
          );
          return move;
        },
        async exchanges() {
          return selectExchanges(await lab.traceSince(marks));
        },
      };
      let result: T | undefined;
      let stepError: string | undefined;
      try {
        result = await body(tools);
      } catch (thrown) {
        stepError = thrown instanceof Error ? thrown.message : String(thrown);
      }
      // A report shows every browser step: the pages as the step left them, unless it chose its own.
      if (options.reportScreenshots && screenshots.length === 0) screenshots.push(...(await pictures.take(contexts, lab.topology)));
      // No pause for the trace: each service records an exchange before it sends the answer (the
      // trace middleware's `finally`, and a back-channel call once answered), so whatever the step
      // awaited is recorded already.
      const exchanges = selectExchanges(await lab.traceSince(marks));
      const record: StepRecord = {
        number,
        ...input,
        notes,
        exchanges,
        sees,
        expectations,
        error: stepError,
        ...(screenshots.length > 0 ? { screenshots } : {}),
        ...(timeMoves.length > 0 ? { timeMoves } : {}),
      };
      steps.push(record);
      options.onStep?.(record);
      if (stepError !== undefined) throw new StepFailure(stepError);
      return result as T;
    },
    fetchAs(as: Party, url: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (as !== 'user-agent') headers.set(TRACE_HEADERS.caller, as);
      return fetch(url, { redirect: 'manual', ...init, headers, signal: init.signal ?? AbortSignal.timeout(10_000) });
    },
  };

  try {
    await scenario.run(context);
  } catch (thrown) {
    error = thrown instanceof Error ? thrown.message : String(thrown);
  } finally {
    await Promise.all(contexts.map((created) => created.close().catch(() => undefined)));
    await Promise.all(
      before.map(({ service, weakened: initial, fullView, ...extra }) => lab.update(service, { weakened: initial, fullView, ...extra }).catch(() => undefined)),
    );
  }

  const expectations = steps.flatMap((step) => step.expectations);
  return {
    id: scenario.id,
    title: scenario.title,
    kind: scenario.kind,
    pass: error === undefined && expectations.length > 0 && expectations.every((expectation) => expectation.pass),
    weakened,
    mode,
    durationMs: Date.now() - started,
    steps,
    expectations,
    error,
  };
}

/** How far the lab's time is ahead of real time now (0 when it runs on real time). */
async function readLabOffsetMs(lab: LabConnection): Promise<number> {
  const clocks = await lab.clocks().catch(() => []);
  return Math.max(0, ...clocks.map(offsetOf));
}

/** How far one service's time is ahead of real time, to the millisecond where it says so. */
function offsetOf(clock: ServiceClock): number {
  return clock.offsetMs ?? Date.parse(clock.now) - Date.now();
}

/**
 * What a step shows: every request a service served, plus the back-channel calls that got no
 * answer at all (their target cannot record them). Calls between the lab's services are recorded
 * twice (sent and served); the served side is shown, with the sender as `from`.
 */
function selectExchanges(events: TraceEvent[]): TraceEvent[] {
  return events.filter((event) => event.direction === 'inbound' || event.error !== undefined);
}
