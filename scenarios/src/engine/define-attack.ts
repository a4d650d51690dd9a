import type { DefenceName, LabMode } from '@lab/shared';
import type { LabSetup, Scenario, ScenarioContext } from './scenario.ts';

export interface AttackSpec {
  /** Kebab-case id; the two runs are `<id>` (defended) and `<id>-weakened`. */
  readonly id: string;
  readonly title: string;
  /** The threat and where it is described, e.g. "RFC 9700 §4.5: authorization code injection". */
  readonly threat: string;
  /** The defence this attack exercises (the one named in `--list`). */
  readonly defence: DefenceName;
  /** Everything switched off for the weakened run; defaults to `[defence]` (none when `weakenedMode` is set). */
  readonly weaken?: readonly DefenceName[];
  /**
   * For attacks on the BFF pattern itself: the weakened run uses this mode instead (the anti-pattern,
   * a public client holding tokens in the browser).
   */
  readonly weakenedMode?: LabMode;
  /**
   * Switched off in BOTH runs, so that the run shows the defence under test and not another one
   * (e.g. the SPA's CSP, which would otherwise stop an XSS payload's report before it is sent).
   * Narrate why.
   */
  readonly alwaysWeaken?: readonly DefenceName[];
  readonly teaches: string;
  readonly prerequisites: readonly string[];
  /**
   * The story, once. `defended` tells which run this is: true against the lab as built (the attack
   * must be refused with the exact error), false with the defence off (the attack must visibly
   * succeed). In the weakened run, what shows the success is checked with `s.expectLeak` /
   * `s.checkLeak`, the rest (sign-in, set-up) with `s.expect` / `s.check`: replayed against the lab
   * as built, exactly the leak must fail (`listRefusalFaults`).
   */
  run(context: ScenarioContext, run: { readonly defended: boolean }): Promise<void>;
}

/** One attack, two scenarios: the lab as built stops it; with its defence off, it succeeds. */
export function defineAttack(spec: AttackSpec): readonly [Scenario, Scenario] {
  const always = spec.alwaysWeaken ?? [];
  const weakenedMode = spec.weakenedMode ?? 'bff';
  const weaken = [...always, ...(spec.weaken ?? (spec.weakenedMode ? [] : [spec.defence]))];
  const defended: LabSetup = { weaken: always, mode: 'bff' };
  const switchedOff = [
    ...(spec.weaken ?? (spec.weakenedMode ? [] : [spec.defence])),
    ...(spec.weakenedMode ? ['the BFF pattern (anti-pattern mode: a public client holding tokens in the browser)'] : []),
  ];
  const base = { kind: 'attack' as const, threat: spec.threat, defence: spec.defence, teaches: spec.teaches };
  const alwaysLine = always.length > 0 ? [`Switched off in both runs, so this run shows its own defence: ${always.join(', ')}.`] : [];
  return [
    {
      ...base,
      id: spec.id,
      title: `${spec.title}: stopped by ${spec.defence}`,
      prerequisites: [...spec.prerequisites, ...alwaysLine],
      weaken: always,
      mode: 'bff',
      attack: { run: 'defended', defended },
      run: (context) => spec.run(context, { defended: true }),
    },
    {
      ...base,
      id: `${spec.id}-weakened`,
      title: `${spec.title}: succeeds with ${switchedOff.join(' + ')} off`,
      prerequisites: [...spec.prerequisites, ...alwaysLine, `Switched OFF for this run: ${switchedOff.join(', ')}.`],
      weaken,
      mode: weakenedMode,
      attack: { run: 'weakened', defended },
      run: (context) => spec.run(context, { defended: false }),
    },
  ];
}

/** True for the weakened twin of an attack: the run that must show the attack succeed. */
export function isWeakenedRun(scenario: Scenario): boolean {
  return scenario.attack?.run === 'weakened';
}
