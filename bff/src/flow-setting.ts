import { HttpError, isLabFlow, type ExtraSettings, type LabFlow } from '@lab/shared';

/** Which flow the BFF runs now; the lab's control routes switch it (`{ "flow": "seed" }`). */
export interface FlowSetting {
  current: LabFlow;
}

export function controlFlowSetting(flow: FlowSetting): ExtraSettings {
  return {
    read: () => ({ flow: flow.current }),
    apply: (patch) => {
      if (patch.flow === undefined) return;
      if (!isLabFlow(patch.flow)) throw new HttpError(400, 'invalid_setting', 'flow must be "recommended" or "seed".');
      flow.current = patch.flow;
    },
  };
}
