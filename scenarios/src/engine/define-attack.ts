import type { DefenceName } from '@lab/shared';
import type { Scenario, ScenarioContext } from './scenario.ts';

export interface AttackSpec {
  /** Kebab-case id; the two runs are `<id>` (defended) and `<id>-weakened`. */
  readonly id: string;
  readonly title: string;
  /** The threat and where it is described, e.g. "RFC 9700 §4.5: authorization code injection". */
  readonly threat: string;
  /** The defence this attack exercises (the one named in `--list`). */
  readonly defence: DefenceName;
  /** Everything switched off for the weakened run; defaults to `[defence]`. */
  readonly weaken?: readonly DefenceName[];
  readonly teaches: string;
  readonly prerequisites: readonly string[];
  /**
   * The story, once. `defended` tells which run this is: true against the lab as built (the attack
   * must be refused with the exact error), false with the defence off (the attack must visibly succeed).
   */
  run(context: ScenarioContext, run: { readonly defended: boolean }): Promise<void>;
}

/** One attack, two scenarios: the lab as built stops it; with its defence off, it succeeds. */
export function defineAttack(spec: AttackSpec): readonly [Scenario, Scenario] {
  const weaken = spec.weaken ?? [spec.defence];
  const base = { kind: 'attack' as const, threat: spec.threat, defence: spec.defence, teaches: spec.teaches };
  return [
    {
      ...base,
      id: spec.id,
      title: `${spec.title}: stopped by ${spec.defence}`,
      prerequisites: [...spec.prerequisites],
      run: (context) => spec.run(context, { defended: true }),
    },
    {
      ...base,
      id: `${spec.id}-weakened`,
      title: `${spec.title}: succeeds with ${weaken.join(' + ')} off`,
      prerequisites: [...spec.prerequisites, `The defence${weaken.length > 1 ? 's' : ''} ${weaken.join(', ')} ${weaken.length > 1 ? 'are' : 'is'} switched OFF for this run.`],
      weaken,
      run: (context) => spec.run(context, { defended: false }),
    },
  ];
}

/** The weakened twin of an attack, or undefined for a defended run or another kind of scenario. */
export function isWeakenedRun(scenario: Scenario): boolean {
  return scenario.kind === 'attack' && (scenario.weaken?.length ?? 0) > 0;
}
