import FakeTimers from '@sinonjs/fake-timers';

/**
 * LAB ONLY: the lab's time. Every service of a run reads `Date` from it: real time plus how far the
 * lab has moved it forward (`offsetMs`), the same in every service, so that "five minutes later"
 * takes no five minutes: tokens, sessions and grants expire as they would, without waiting.
 *
 * `@sinonjs/fake-timers` replaces `Date` only (`toFake: ['Date']`): timers, `performance.now()` and
 * I/O run on real time. Its clock is made to follow real time plus the offset, read at each call,
 * instead of advancing in steps (`shouldAdvanceTime` falls behind whenever the event loop is
 * busy, and two services would drift apart).
 *
 * Two rules, whatever is asked: the lab's time never goes back, and it never falls behind real
 * time. Services write cookies' `Expires` from `Date` and browsers judge them on real time: a lab
 * time behind real time would have short cookies (a login attempt's, an interaction's) born expired.
 *
 * The clock can be held (step mode: `npm run scenario -- <id> --step`): `Date` stands still until it
 * is released, and then runs on from where it stood (the offset shrinks by the time held). A hold
 * is a lease of `HOLD_LEASE_MS`, renewed by its holder while it waits; it lapses by itself when the
 * holder stops renewing it (a command line killed with `kill -9` cannot release it), and when real
 * time catches up with the held time (standing still longer would put the lab behind real time).
 */
export interface LabClock {
  /** The lab's time now, in epoch milliseconds: what `Date.now()` reads in a process the clock is installed in. */
  now(): number;
  /** How far the lab's time is ahead of real time now (while held, this shrinks as real time goes on). */
  readonly offsetMs: number;
  /** Whether the lab's time stands still now. */
  readonly held: boolean;
  /** For how long (real time) the current hold has kept the lab's time still; 0 when it runs. */
  readonly heldForMs: number;
  /** Moves the lab's time forward to `offsetMs` ahead of real time (held or not); false (nothing changes) for an offset behind the current one. */
  moveTo(offsetMs: number): boolean;
  /**
   * Holds the lab's time where it is, or renews the current hold, for `leaseMs` of real time from
   * now. False (nothing changes) when the lab's time is not ahead of real time: it cannot stand still.
   */
  hold(leaseMs?: number): boolean;
  /** Lets the lab's time run on from where it stands (nothing happens when it is not held). */
  release(): void;
}

/**
 * How long one hold lasts unless renewed: long enough that a renewal every 30 s survives a slow
 * answer or two, short enough that a hold whose holder died ends within two minutes.
 */
export const HOLD_LEASE_MS = 120_000;

interface Hold {
  /** The lab's time it stands at (epoch ms). */
  at: number;
  /** Real time the hold started, and when it lapses unless renewed. */
  readonly since: number;
  until: number;
}

/**
 * A lab clock over a source of real time, not installed anywhere: `installLabClock` gives it the
 * process's `Date`; tests give it a clock of their own.
 */
export function createLabClock(realNow: () => number, initialOffsetMs = 0): LabClock {
  let offset = Math.max(0, Number.isFinite(initialOffsetMs) ? initialOffsetMs : 0);
  let hold: Hold | undefined;

  /** Ends a hold that has lapsed, as of real time `real`; the lab's time runs on continuously from it. */
  const settle = (real: number): void => {
    if (!hold) return;
    if (real >= hold.until) {
      // Stood at `at` until the lease ended (or followed real time, had that caught up), then ran.
      offset = Math.max(0, hold.at - hold.until);
      hold = undefined;
    } else if (real >= hold.at) {
      offset = 0; // real time caught up: from here the lab's time is real time
      hold = undefined;
    }
  };
  const now = (): number => {
    const real = realNow();
    settle(real);
    return hold ? hold.at : real + offset;
  };

  return {
    now,
    get offsetMs() {
      const real = realNow();
      settle(real);
      return hold ? hold.at - real : offset;
    },
    get held() {
      settle(realNow());
      return hold !== undefined;
    },
    get heldForMs() {
      const real = realNow();
      settle(real);
      return hold ? real - hold.since : 0;
    },
    moveTo(offsetMs) {
      const real = realNow();
      settle(real);
      const current = hold ? hold.at - real : offset;
      if (!Number.isFinite(offsetMs) || offsetMs < current) return false;
      if (hold) hold.at = real + offsetMs;
      else offset = offsetMs;
      return true;
    },
    hold(leaseMs = HOLD_LEASE_MS) {
      const real = realNow();
      settle(real);
      if (hold) {
        hold.until = real + leaseMs;
        return true;
      }
      if (offset <= 0 || !(leaseMs > 0)) return false;
      hold = { at: real + offset, since: real, until: real + leaseMs };
      return true;
    },
    release() {
      const real = realNow();
      settle(real);
      if (!hold) return;
      offset = hold.at - real; // > 0: a hold whose time real time reached has ended already
      hold = undefined;
    },
  };
}

let installed: LabClock | undefined;

/** Installs the lab's clock in this process (once; later calls get the same clock). */
export function installLabClock(initialOffsetMs = 0): LabClock {
  if (installed) return installed;
  const realNow = Date.now.bind(Date);
  const clock = createLabClock(realNow, initialOffsetMs);
  const fake = FakeTimers.withGlobal(globalThis).install({ toFake: ['Date'], now: clock.now() });
  Object.defineProperty(fake, 'now', {
    configurable: true,
    get: () => clock.now(),
    // fake-timers sets `now` when it is ticked or set: only forward.
    set: (value: number) => {
      clock.moveTo(Math.max(clock.offsetMs, value - realNow()));
    },
  });
  installed = clock;
  return installed;
}
