import { HttpError } from '@lab/kit';
import { isLabFlow, type LabFlow } from '@lab/shared';
import type { ExtraSettings } from './lab-control.ts';

/** LAB ONLY: `PUT /_lab/settings` `{ "flow": "seed" }` switches the flow the BFF runs. */
export function controlFlowSetting(flow: { current: LabFlow }): ExtraSettings {
  return {
    read: () => ({ flow: flow.current }),
    apply: (patch) => {
      if (patch.flow === undefined) return;
      if (!isLabFlow(patch.flow)) throw new HttpError(400, 'invalid_setting', 'flow must be "recommended" or "seed".');
      flow.current = patch.flow;
    },
  };
}
