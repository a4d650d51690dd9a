import FakeTimers from '@sinonjs/fake-timers';

/**
 * LAB ONLY: the lab's time. Every service of a run reads `Date` from it: real time plus how far the
 * lab has moved it forward (`offsetMs`), the same in every service, so that "five minutes later"
 * takes no five minutes: tokens, sessions and grants expire as they would, without waiting.
 *
 * `@sinonjs/fake-timers` replaces `Date` only (`toFake: ['Date']`): timers, `performance.now()` and
 * I/O run on real time. Its clock is made to follow real time plus the offset, read at each call,
 * instead of advancing in steps (`shouldAdvanceTime` falls behind whenever the event loop is
 * busy, and two services would drift apart). The offset only grows: the lab's time never goes back.
 */
export interface LabClock {
  /** How far the lab's time is ahead of real time. */
  readonly offsetMs: number;
  /** Moves the lab's time forward to `offsetMs` ahead of real time; false (nothing changes) for an offset behind the current one. */
  moveTo(offsetMs: number): boolean;
}

let installed: LabClock | undefined;

/** Installs the lab's clock in this process (once; later calls get the same clock). */
export function installLabClock(initialOffsetMs = 0): LabClock {
  if (installed) return installed;
  const realNow = Date.now.bind(Date);
  let offset = Math.max(0, initialOffsetMs);
  const clock = FakeTimers.withGlobal(globalThis).install({ toFake: ['Date'], now: realNow() + offset });
  Object.defineProperty(clock, 'now', {
    configurable: true,
    get: () => realNow() + offset,
    // fake-timers sets `now` when it is ticked or set: only forward.
    set: (value: number) => {
      offset = Math.max(offset, value - realNow());
    },
  });
  installed = {
    get offsetMs() {
      return offset;
    },
    moveTo(offsetMs) {
      if (!Number.isFinite(offsetMs) || offsetMs < offset) return false;
      offset = offsetMs;
      return true;
    },
  };
  return installed;
}
