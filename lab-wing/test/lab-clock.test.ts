import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOLD_LEASE_MS, createLabClock, installLabClock } from '../src/index.ts';

/** A lab clock over a real time the test moves by hand. */
function clockOnFakeRealTime(start = 1_700_000_000_000, initialOffsetMs = 0) {
  let real = start;
  const clock = createLabClock(() => real, initialOffsetMs);
  return {
    clock,
    real: () => real,
    pass(ms: number) {
      real += ms;
    },
  };
}

describe('createLabClock: held', () => {
  it('stands still while held, then runs on from where it stood: the offset shrinks by the time held', () => {
    const { clock, real, pass } = clockOnFakeRealTime();
    expect(clock.moveTo(3_600_000)).toBe(true);
    expect(clock.hold()).toBe(true);
    const heldAt = clock.now();
    expect(heldAt).toBe(real() + 3_600_000);
    pass(45_000);
    expect(clock.now()).toBe(heldAt);
    expect(clock.held).toBe(true);
    expect(clock.heldForMs).toBe(45_000);
    expect(clock.offsetMs).toBe(3_555_000);

    clock.release();
    expect(clock.held).toBe(false);
    expect(clock.heldForMs).toBe(0);
    expect(clock.now()).toBe(heldAt);
    pass(1_000);
    expect(clock.now()).toBe(heldAt + 1_000);
    expect(clock.offsetMs).toBe(3_555_000);
  });

  it('cannot stand still when it is not ahead of real time: hold() is false and nothing changes', () => {
    const { clock, real, pass } = clockOnFakeRealTime();
    expect(clock.hold()).toBe(false);
    expect(clock.held).toBe(false);
    pass(10);
    expect(clock.now()).toBe(real());
  });

  it('lets a renewed hold last, and an unrenewed one lapse after its lease: it then runs on from where it stood', () => {
    const { clock, real, pass } = clockOnFakeRealTime(1_700_000_000_000, 3_600_000);
    expect(clock.hold()).toBe(true);
    const heldAt = clock.now();
    pass(HOLD_LEASE_MS - 1);
    expect(clock.hold()).toBe(true); // renewed: another full lease from now
    pass(HOLD_LEASE_MS - 1);
    expect(clock.held).toBe(true);
    expect(clock.now()).toBe(heldAt);
    pass(1); // the lease ends
    expect(clock.held).toBe(false);
    expect(clock.now()).toBe(heldAt);
    pass(5_000);
    expect(clock.now()).toBe(heldAt + 5_000);
    expect(clock.now() - real()).toBe(3_600_000 - 2 * HOLD_LEASE_MS + 1);
  });

  it('lapses as soon as real time catches up with the held time: the lab never falls behind real time', () => {
    const { clock, real, pass } = clockOnFakeRealTime(1_700_000_000_000, 2_000);
    expect(clock.hold(60_000)).toBe(true);
    const heldAt = clock.now();
    pass(1_999);
    expect(clock.now()).toBe(heldAt);
    pass(1);
    expect(clock.held).toBe(false);
    expect(clock.now()).toBe(real());
    pass(30_000);
    expect(clock.now()).toBe(real());
    expect(clock.offsetMs).toBe(0);
    expect(clock.hold()).toBe(false);
  });

  it('moves the held time forward, never back', () => {
    const { clock, real, pass } = clockOnFakeRealTime(1_700_000_000_000, 3_600_000);
    clock.hold();
    pass(10_000);
    expect(clock.moveTo(3_000_000)).toBe(false);
    expect(clock.moveTo(3_589_999)).toBe(false); // the offset is 3,590,000 now: this would be back
    expect(clock.moveTo(3_900_000)).toBe(true);
    expect(clock.now()).toBe(real() + 3_900_000);
    pass(10_000);
    expect(clock.held).toBe(true);
    expect(clock.now()).toBe(real() - 10_000 + 3_900_000);
  });

  it('releasing or renewing twice changes nothing more', () => {
    const { clock, pass } = clockOnFakeRealTime(1_700_000_000_000, 3_600_000);
    clock.hold();
    const heldAt = clock.now();
    pass(1_000);
    expect(clock.hold()).toBe(true);
    expect(clock.now()).toBe(heldAt);
    clock.release();
    clock.release();
    expect(clock.now()).toBe(heldAt);
    pass(1_000);
    expect(clock.now()).toBe(heldAt + 1_000);
  });

  it('never goes back and never falls behind real time, whatever the order of moves, holds, releases and pauses', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('pass' as const), ms: fc.integer({ min: 0, max: 3 * HOLD_LEASE_MS }) }),
      fc.record({ kind: fc.constant('hold' as const), leaseMs: fc.integer({ min: 1, max: 2 * HOLD_LEASE_MS }) }),
      fc.record({ kind: fc.constant('release' as const) }),
      fc.record({ kind: fc.constant('move' as const), offsetMs: fc.integer({ min: 0, max: 10_000_000 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5_000_000 }), fc.array(operation, { maxLength: 60 }), (initial, operations) => {
        const { clock, real, pass } = clockOnFakeRealTime(1_700_000_000_000, initial);
        let last = clock.now();
        for (const op of operations) {
          if (op.kind === 'pass') pass(op.ms);
          else if (op.kind === 'hold') clock.hold(op.leaseMs);
          else if (op.kind === 'release') clock.release();
          else clock.moveTo(op.offsetMs);
          const now = clock.now();
          if (now < last || now < real()) return false;
          // Held means standing still at a time ahead of real time.
          if (clock.held && !(now > real())) return false;
          last = now;
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });
});

// This file's worker runs on the lab's clock from here on (as a service's process does).
const realNow = Date.now.bind(Date);
const clock = installLabClock();

describe('installLabClock', () => {
  it('follows real time until the lab moves it', () => {
    expect(Math.abs(Date.now() - realNow())).toBeLessThan(50);
    // biome-ignore lint/complexity/useDateNow: the Date constructor is what is checked here
    expect(Math.abs(new Date().getTime() - realNow())).toBeLessThan(50);
    expect(clock.offsetMs).toBe(0);
  });

  it('moves every reading of Date forward by the offset, and keeps real time running', async () => {
    expect(clock.moveTo(301_000)).toBe(true);
    expect(Date.now() - realNow()).toBeGreaterThanOrEqual(300_950);
    expect(Date.now() - realNow()).toBeLessThan(301_050);
    const before = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(Date.now() - before).toBeGreaterThanOrEqual(25);
    // biome-ignore lint/complexity/useDateNow: the Date constructor is what is checked here
    expect(Math.floor(new Date().getTime() / 1000)).toBeGreaterThanOrEqual(Math.floor((realNow() + 300_000) / 1000));
  });

  it('never goes back: a smaller offset changes nothing', () => {
    expect(clock.moveTo(1_000)).toBe(false);
    expect(clock.moveTo(Number.NaN)).toBe(false);
    expect(Math.round(clock.offsetMs / 1000)).toBe(301);
  });

  it('held, Date stands still while timers run; released, it runs on from there', async () => {
    expect(clock.hold()).toBe(true);
    const held = Date.now();
    // biome-ignore lint/complexity/useDateNow: the Date constructor is what is checked here
    const heldDate = new Date().getTime();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(Date.now()).toBe(held);
    // biome-ignore lint/complexity/useDateNow: the Date constructor is what is checked here
    expect(new Date().getTime()).toBe(heldDate);
    expect(clock.heldForMs).toBeGreaterThanOrEqual(55);
    clock.release();
    expect(Date.now() - held).toBeLessThan(20);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(Date.now() - held).toBeGreaterThanOrEqual(25);
    expect(Date.now() - realNow()).toBeLessThanOrEqual(301_000 - 55);
  });

  it('is installed once per process', () => {
    expect(installLabClock()).toBe(clock);
  });
});
