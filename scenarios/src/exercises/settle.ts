import type { Browser } from 'playwright-core';
import { TRACE_HEADERS, type Party, type TraceEvent } from '@lab/shared';
import type { LabConnection } from '../engine/lab-connection.ts';
import { runScenario } from '../engine/run-scenario.ts';
import type { Scenario, ScenarioResult } from '../engine/scenario.ts';
import { SCENARIOS } from '../registry.ts';
import { callbackWithoutCookie } from './callback-without-cookie.ts';
import type { Exercise, Observation, SettleTools } from './exercise.ts';

/** Scenarios that exist for an exercise only (not in `--list`). */
const EXERCISE_SCENARIOS: readonly Scenario[] = [callbackWithoutCookie];

/**
 * Lets the lab answer an exercise: its scenarios run through the scenario engine (the browser is
 * started only when one is needed), its requests are read back from the services' traces.
 */
export async function settleExercise(exercise: Exercise, lab: LabConnection, browser: () => Promise<Browser>): Promise<Observation> {
  const tools: SettleTools = {
    topology: lab.topology,
    async scenario(id: string): Promise<ScenarioResult> {
      const scenario = [...SCENARIOS, ...EXERCISE_SCENARIOS].find((candidate) => candidate.id === id);
      if (!scenario) throw new Error(`no scenario ${id}`);
      return runScenario(scenario, { lab, browser: await browser() });
    },
    async record(body): Promise<TraceEvent[]> {
      // The question is about the lab as built, as a scenario's defended run: every defence on,
      // the BFF pattern, then the lab's own settings back (a lab started with LAB_WEAKEN too).
      const before = await lab.settings();
      await lab.setWeakened([]);
      await lab.setMode('bff');
      try {
        const marks = await lab.traceMarks();
        await body(fetchAs);
        // The last response's trace event is written just after it is sent.
        await new Promise((resolve) => setTimeout(resolve, 50));
        return (await lab.traceSince(marks)).filter((event) => event.direction === 'inbound');
      } finally {
        await Promise.all(before.map(({ service, ...settings }) => lab.update(service, settings).catch(() => undefined)));
      }
    },
  };
  return exercise.settle(tools);
}

/** A request outside any browser, recorded in the trace as coming from `as` (as the scenarios' `fetchAs`). */
function fetchAs(as: Party, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (as !== 'user-agent') headers.set(TRACE_HEADERS.caller, as);
  return fetch(url, { redirect: 'manual', ...init, headers, signal: init.signal ?? AbortSignal.timeout(10_000) });
}
