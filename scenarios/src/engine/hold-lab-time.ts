import type { LabConnection } from './lab-connection.ts';
import { describeOffset } from '../lab-time.ts';

/**
 * Step mode's clock (`npm run scenario -- <id> --step`): the lab's time stands still while the
 * instructor talks, so that nothing expires between two steps unless a step says it moves the
 * clock. Whatever the pause (ten seconds or ten minutes), step 7 never shows the refresh that
 * step 9 announces.
 *
 * The lab's time may stand still only while it is ahead of real time (services write cookies'
 * `Expires` from it, browsers judge them on real time), and every second held uses up a second of
 * that lead. So a step-by-step run first makes sure the lab is an hour ahead: an hour of pauses.
 */

/** How far ahead of real time a step-by-step run puts the lab's time first: the pauses it can hold in all. */
export const STEP_MODE_LEAD_SECONDS = 3600;
/**
 * Below this lead a step-by-step run moves the lab's time up to `STEP_MODE_LEAD_SECONDS` ahead;
 * above it, it moves nothing: every hold eats into the lead, and topping it up to the hour at
 * every run would move the lab (and expire what is due) a little each time.
 */
export const STEP_MODE_MIN_LEAD_SECONDS = 1800;

/** How often a waiting step renews its hold: each lasts two minutes (`HOLD_LEASE_MS` in lab-wing), two renewals may fail. */
const RENEW_EVERY_MS = 30_000;

/**
 * Before the first step: moves the lab's time forward to an hour ahead of real time when it is
 * less than half an hour ahead, and says so in one line (what expired in the jump included: it is
 * the whole lab's time).
 */
export async function leadLabTimeForSteps(lab: LabConnection): Promise<string> {
  const clocks = await lab.clocks();
  const ahead = Math.min(...clocks.map((clock) => clock.offsetSeconds));
  if (clocks.length === 0 || ahead >= STEP_MODE_MIN_LEAD_SECONDS) {
    return `Step mode: the lab's time stands still between steps (it is ${describeOffset(Math.max(0, ahead))} ahead of real time: enough).`;
  }
  // Counted from the service furthest ahead (as every move is); at least a second, which also brings
  // along a service that lags behind the others (restarted).
  const seconds = Math.max(1, STEP_MODE_LEAD_SECONDS - Math.max(...clocks.map((clock) => clock.offsetSeconds)));
  const moved = await lab.moveTime(seconds);
  const expired = new Map<string, number>();
  for (const clock of moved) {
    for (const [kind, count] of Object.entries(clock.expired ?? {})) expired.set(kind, (expired.get(kind) ?? 0) + count);
  }
  const ended = [...expired].filter(([, count]) => count > 0).map(([kind, count]) => `${count} ${kind}`);
  return `Step mode: the lab's time stands still between steps; first it moves ${describeOffset(seconds)} forward, to an hour ahead of real time, so that standing still never puts it behind (expired in the jump: ${ended.length > 0 ? ended.join(', ') : 'nothing'}).`;
}

/**
 * Runs `wait` (the prompt for Enter) with the lab's time held in every service: the hold is renewed
 * while it lasts and released when it ends, also when it throws. A hold that cannot be made (the
 * lab is not ahead of real time, a service does not answer) is reported through `warn`, and the
 * wait goes on with the time running.
 */
export async function whileLabTimeHeld<T>(lab: LabConnection, wait: () => Promise<T>, warn: (line: string) => void): Promise<T> {
  const hold = async (): Promise<boolean> => {
    try {
      await lab.holdTime(true);
      return true;
    } catch (error) {
      warn(`The lab's time could not be held, it runs on: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  };
  if (!(await hold())) return wait();
  let renewing = Promise.resolve(true);
  const renewal = setInterval(() => {
    renewing = renewing.then(hold);
  }, RENEW_EVERY_MS);
  try {
    return await wait();
  } finally {
    clearInterval(renewal);
    await renewing;
    await lab
      .holdTime(false)
      .catch((error: unknown) => warn(`The lab's time could not be released: ${error instanceof Error ? error.message : String(error)}`));
  }
}
