import type { LabFlow } from '@lab/shared';

/**
 * Which flow the BFF runs now: `recommended` (the code comes back to `/bff/callback`) or `seed`
 * (the seed text's variant: to the SPA's `/callback`, which posts it to `POST /bff/code`). Read on
 * every login; the lab may switch it while the BFF runs.
 */
export interface FlowSetting {
  current: LabFlow;
}
