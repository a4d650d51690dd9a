import type { LabTopology, Party, TraceEvent } from '@lab/shared';
import type { ScenarioResult } from '../engine/scenario.ts';

/**
 * A workshop exercise: a question, the form of the learner's prediction, and how the running lab
 * settles it. The lab's answer, not a stored one, decides "right" or "wrong": `answer` and `why`
 * are for the answer key (docs/workshop/answer-key.md), and the test suite checks that the lab
 * still gives `answer`.
 */
export interface Exercise {
  /** Kebab-case, for `npm run exercise -- <id>`. */
  readonly id: string;
  readonly title: string;
  /** The question, with the URLs of the lab in force (the worksheet uses the default ones). */
  question(topology: LabTopology): string;
  readonly prediction: ShortPrediction | ChoicePrediction;
  /** For the answer key: what the lab answers, in the prediction's form. */
  readonly answer: string;
  /** For the answer key: why, in a sentence or three. */
  readonly why: string;
  /** The scenario to run afterwards to see the whole story (named in the worksheet). */
  readonly scenario?: string;
  /** Set for a hands-on exercise: the learner changes one file of the BFF first. */
  readonly code?: CodeTask;
  /** Asks the lab: runs the scenario or the requests that settle the question. */
  settle(tools: SettleTools): Promise<Observation>;
}

/** A short answer: status codes, error codes, defence names or a file, in any order. */
export interface ShortPrediction {
  readonly kind: 'short';
  /** What to name, shown at the prompt: "status and error code", "defence and error code"... */
  readonly asks: string;
}

export interface ChoicePrediction {
  readonly kind: 'choice';
  /** The options by letter: `{ a: '…', b: '…' }`. */
  readonly options: Readonly<Record<string, string>>;
}

export interface CodeTask {
  /** The one file the learner edits (a repository path); `reset` restores only this one. */
  readonly file: string;
  /** What to change, for the worksheet and the prompt. */
  readonly task: string;
  /** The scenario that judges the change: it fails once the change is in place. */
  readonly scenario: string;
  /** One edit that does the task (`find`, once in the file, becomes `replace`): the tests make it in a copy of the repository. */
  readonly example: { readonly find: string; readonly replace: string };
}

export interface Observation {
  /** The lab's answer, in the prediction's form ("403 csrf_header_missing", or a letter). */
  readonly answer: string;
  /** What shows it: exchange lines from the trace, expectations of the scenario run. */
  readonly evidence: readonly string[];
  /** For a code exercise: whether the learner's change is in place (its scenario failed). */
  readonly changeInPlace?: boolean;
}

/** What `settle` can use: the lab, its scenarios, and requests recorded in its trace. */
export interface SettleTools {
  readonly topology: LabTopology;
  /** Runs one scenario of the registry (or an exercise's own) against the lab. */
  scenario(id: string): Promise<ScenarioResult>;
  /** Makes requests as `as` and returns the exchanges the lab recorded meanwhile. */
  record(body: (fetchAs: (as: Party, url: string, init?: RequestInit) => Promise<Response>) => Promise<void>): Promise<TraceEvent[]>;
}

export function defineExercise(exercise: Exercise): Exercise {
  return exercise;
}
