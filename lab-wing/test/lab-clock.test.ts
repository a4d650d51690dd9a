import { describe, expect, it } from 'vitest';
import { installLabClock } from '../src/index.ts';

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
    expect(clock.offsetMs).toBe(301_000);
  });

  it('is installed once per process', () => {
    expect(installLabClock()).toBe(clock);
  });
});
