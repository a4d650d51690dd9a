import type { DefenceName } from '@lab/shared';
import type { Mutant } from './mutants.ts';

/** What the mutation run needs to know of a scenario (the registry's `Scenario` has more). */
export interface ScenarioInfo {
  readonly id: string;
  readonly defence?: DefenceName;
  readonly weaken?: readonly DefenceName[];
  readonly attack?: { readonly run: 'defended' | 'weakened' };
}

/**
 * The scenarios that judge a mutant: its own list, else the defended runs of the attacks that
 * exercise its defence, those named after it and those whose weakened twin switches it off (not
 * counting what both runs switch off, such as the SPA's CSP in the XSS scenarios).
 */
export function scenariosFor(mutant: Pick<Mutant, 'defence' | 'scenarios'>, registry: readonly ScenarioInfo[]): string[] {
  if (mutant.scenarios) return [...mutant.scenarios];
  return registry
    .filter((scenario) => scenario.attack?.run === 'defended')
    .filter((scenario) => {
      if (scenario.defence === mutant.defence) return true;
      const twin = registry.find((candidate) => candidate.id === `${scenario.id}-weakened`);
      return (twin?.weaken ?? []).includes(mutant.defence) && !(scenario.weaken ?? []).includes(mutant.defence);
    })
    .map((scenario) => scenario.id);
}
