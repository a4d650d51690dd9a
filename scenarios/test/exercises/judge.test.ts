import { describe, expect, it } from 'vitest';
import { judgePrediction, significantTerms } from '../../src/exercises/judge.ts';

const short = { prediction: { kind: 'short', asks: 'status and error code' } } as const;
const choice = { prediction: { kind: 'choice', options: { a: 'csrf-header only', b: 'cookie-samesite and csrf-header' } } } as const;

describe('judging a prediction against the lab', () => {
  it('takes a short answer in any case, order and punctuation', () => {
    const observed = '403 csrf_header_missing, 401 not_authenticated';
    expect(judgePrediction(short, '401 NOT_AUTHENTICATED; 403 csrf_header_missing.', observed)).toEqual({
      right: true,
      read: '401, not_authenticated, 403, csrf_header_missing',
    });
  });

  it('is wrong when the prediction names less, more, or something else than the lab answered', () => {
    const observed = '403 csrf_header_missing, 401 not_authenticated';
    expect(judgePrediction(short, '403 csrf_header_missing', observed).right).toBe(false);
    expect(judgePrediction(short, '403 csrf_header_missing 401 not_authenticated 500', observed).right).toBe(false);
    expect(judgePrediction(short, '401 not_authenticated, 403 invalid_state', observed).right).toBe(false);
  });

  it('is wrong, and says so, when the prediction names nothing it can compare', () => {
    expect(judgePrediction(short, 'the BFF refuses it', '400 invalid_state')).toEqual({
      right: false,
      read: '(no status, error code, defence or file named)',
    });
  });

  it('reads defence names and file names (a path by its last part)', () => {
    expect([...significantTerms('`iss-check`: 400 invalid_issuer')]).toEqual(['iss-check', '400', 'invalid_issuer']);
    expect(judgePrediction(short, 'bff-client.ts', 'spa/src/bff-client.ts').right).toBe(true);
    expect(judgePrediction(short, 'spa/src/public-client.ts', 'spa/src/bff-client.ts').right).toBe(false);
  });

  it('takes a choice by its letter or its text, and nothing else', () => {
    expect(judgePrediction(choice, 'B', 'b')).toEqual({ right: true, read: 'b' });
    expect(judgePrediction(choice, '(b)', 'b').right).toBe(true);
    expect(judgePrediction(choice, 'cookie-samesite and csrf-header', 'b').right).toBe(true);
    expect(judgePrediction(choice, 'a', 'b')).toEqual({ right: false, read: 'a' });
    expect(judgePrediction(choice, 'z', 'b')).toEqual({ right: false, read: '(not one of the options)' });
  });
});
