import { afterEach, describe, expect, it, vi } from 'vitest';
import { openInstructorView, parseView, takeKeyFromAddress } from '../src/xray-view.ts';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A page at `url`, with the history calls it receives. */
function stubPage(url: string) {
  const address = new URL(url);
  const replaced: string[] = [];
  vi.stubGlobal('location', address);
  vi.stubGlobal('history', { state: null, replaceState: (_state: unknown, _title: string, next: string) => replaced.push(next) });
  return replaced;
}

describe("the X-ray's view (xray-view.ts)", () => {
  it('takes the key from the fragment and removes it from the address at once, keeping the rest', () => {
    const replaced = stubPage('http://localhost:5173/notes?tab=1#xray-key=s3cret-key&other=1');
    expect(takeKeyFromAddress()).toBe('s3cret-key');
    expect(replaced).toEqual(['/notes?tab=1#other=1']);
  });

  it('leaves an address without a key alone', () => {
    const replaced = stubPage('http://localhost:5173/#section');
    expect(takeKeyFromAddress()).toBeUndefined();
    expect(replaced).toEqual([]);
  });

  it('sends the key in X-Lab-Key (never in the URL), with X-CSRF, and says how it went', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const answers = [200, 401, 404];
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response('{}', { status: answers.shift() });
    });
    expect(await openInstructorView('k-1')).toBe('opened');
    expect(await openInstructorView('k-2')).toBe('wrong-key');
    expect(await openInstructorView('k-3')).toBe('unavailable');
    expect(calls[0]).toEqual({
      url: '/bff/xray/view',
      init: expect.objectContaining({ method: 'POST', headers: expect.objectContaining({ 'X-CSRF': '1', 'X-Lab-Key': 'k-1' }) }),
    });
  });

  it('knows the two views and nothing else', () => {
    expect([parseView('session'), parseView('instructor'), parseView('all'), parseView(undefined)]).toEqual(['session', 'instructor', undefined, undefined]);
  });
});
