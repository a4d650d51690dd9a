/**
 * <xray-clock> in a real Chromium (see xray-jwt.test.ts for why this way): the lab's time as every
 * X-ray viewer sees it, and whether it is held (a step-by-step scenario run stops it between steps).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startElementPages, type ElementPages } from './support/element-page.ts';

let pages: ElementPages;
beforeAll(async () => {
  pages = await startElementPages();
});
afterAll(async () => {
  await pages?.close();
});

/** What a learner reads in the clock, given what `GET /bff/xray/state` said. */
async function shown(state: { offsetSeconds?: number; held?: boolean }) {
  const page = await pages.open('/src/xray-clock.ts');
  return page.evaluate(async ({ offsetSeconds, held }) => {
    const clock = document.createElement('xray-clock') as HTMLElement & { offsetSeconds?: number; held: boolean; updateComplete: Promise<unknown> };
    clock.offsetSeconds = offsetSeconds;
    clock.held = held ?? false;
    document.body.append(clock);
    await clock.updateComplete;
    const text = (id: string) => clock.shadowRoot?.querySelector(`[data-testid="${id}"]`)?.textContent?.replace(/\s+/g, ' ').trim();
    return { offset: text('xray-clock-offset'), held: text('xray-clock-held') };
  }, state);
}

describe('<xray-clock>', () => {
  it('says the lab time is held while a step-by-step run holds it', async () => {
    expect(await shown({ offsetSeconds: 3540, held: true })).toEqual({ offset: 'Lab time +59 min', held: 'held' });
  });

  it('says nothing of a hold when the time runs', async () => {
    expect(await shown({ offsetSeconds: 3540, held: false })).toEqual({ offset: 'Lab time +59 min', held: undefined });
    expect(await shown({ offsetSeconds: 0 })).toEqual({ offset: 'Lab time: now', held: undefined });
  });
});
