import { describe, expect, it } from 'vitest';
import { HEADER_GLOSSARY, explainHeader } from '../src/glossary.ts';

describe('explainHeader: what the X-ray says of a header', () => {
  it.each([
    ['Bearer eyJhbGciOi…(812 chars)', 'an access token: whoever holds it may use it (RFC 6750 §2.1); here only the BFF sends it'],
    ['Basic base64(bff:s3cr…(43 chars))', "the client's id and secret (RFC 6749 §2.3.1): the BFF proves it is the registered client"],
    ['DPoP eyJhbGciOi…(812 chars)', 'an access token bound to a key, with a proof signed by that key (RFC 9449)'],
  ])('tells an Authorization of %s by its scheme', (value, meaning) => {
    expect(explainHeader('authorization', value)).toBe(meaning);
  });

  it('falls back to the general line for another scheme, and for every other header', () => {
    expect(explainHeader('authorization', 'Negotiate abc')).toBe(HEADER_GLOSSARY.authorization);
    expect(explainHeader('x-csrf', '1')).toBe("the app's own header: a cross-site page cannot send it");
    expect(explainHeader('x-unknown', 'v')).toBe('');
  });
});
