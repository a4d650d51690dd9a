import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase } from '../hostile-case.ts';
import { addToQuery, headerOf, setHeader, toRawRequest } from '../request-parts.ts';
import { aim, insertIntoPath, malformedPercent } from './common.ts';

const PLACES = ['path', 'query-name', 'query-value', 'cookie', 'basic', 'form', 'header', 'json-string'] as const;
type Place = (typeof PLACES)[number];

/** Parameters the services read (the trace redacts some by name: `code`, `state`, `token`…). */
const QUERY_NAMES = [
  'returnTo',
  'code',
  'state',
  'iss',
  'error',
  'error_description',
  'after',
  'x',
  'client_id',
  'redirect_uri',
  'scope',
  'response_type',
  'code_challenge',
  'nonce',
  'prompt',
  'resource',
  'id_token_hint',
  'post_logout_redirect_uri',
  'ui_locales',
  'claims',
  'access_token',
];
const COOKIE_NAMES = ['bff_session', 'bff_session.sig', '_interaction', '_interaction.sig', '_interaction_resume', '_session', '_session.sig', 'x'];
const HEADER_NAMES = [
  'Referer',
  'Origin',
  'X-Forwarded-For',
  'X-Forwarded-Host',
  'X-Forwarded-Proto',
  'Forwarded',
  'X-Correlation-Id',
  'X-Lab-Caller',
  'Accept-Language',
  'If-None-Match',
  'X-Requested-With',
];

/**
 * Malformed percent-encodings wherever a service decodes: the path, a query parameter's name or
 * value, a cookie, HTTP Basic credentials (RFC 6749 §2.3.1 form-encodes client_id and secret, so
 * `b%ff:x` must be decoded by the authorization server), a form field, a header, a JSON string.
 * Each must give a 4xx (or the protocol's own error), never a 500 after the action ran.
 */
export function percentEncodingCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  return fc
    .record({
      aim: aim(topology),
      place: fc.constantFrom(...PLACES),
      bad: malformedPercent,
      position: fc.nat(),
      mode: fc.constantFrom('append', 'prepend', 'replace', 'new'),
      name: fc.constantFrom(...QUERY_NAMES),
      cookie: fc.constantFrom(...COOKIE_NAMES),
      header: fc.constantFrom(...HEADER_NAMES),
      keepSession: fc.boolean(),
    })
    .map(({ aim: { target, route, parts }, place, bad, position, mode, name, cookie, header, keepSession }) => {
      const effective = effectivePlace(place, route.auth, parts.body, headerOf(parts, 'Content-Type'));
      switch (effective) {
        case 'path':
          parts.path = insertIntoPath(parts.path, bad, position, mode);
          break;
        case 'query-name':
          parts.query = addToQuery(parts.query, `${bad}=1`);
          break;
        case 'query-value':
          parts.query = addToQuery(parts.query, `${name}=${bad}`);
          break;
        case 'cookie': {
          const existing = keepSession ? headerOf(parts, 'Cookie') : undefined;
          setHeader(parts, 'Cookie', [existing, `${cookie}=${bad}`].filter(Boolean).join('; '));
          break;
        }
        case 'basic': {
          const [user, secret] = position % 3 === 0 ? [`b${bad}`, 'x'] : position % 3 === 1 ? ['bff', bad] : [bad, bad];
          setHeader(parts, 'Authorization', `Basic ${Buffer.from(`${user}:${secret}`, 'latin1').toString('base64')}`);
          break;
        }
        case 'form':
          parts.body = position % 2 === 0 ? `${parts.body ?? ''}&${name}=${bad}` : `${bad}=1&${parts.body ?? ''}`;
          break;
        case 'header':
          setHeader(parts, header, header === 'Referer' || header === 'Origin' ? `http://localhost/${bad}` : bad);
          break;
        case 'json-string':
          parts.body = JSON.stringify({ text: `note ${bad}`, [bad]: bad });
          break;
      }
      return { category: 'percent-encoding', target, label: `${effective}: ${route.method} ${route.path}`, request: toRawRequest(parts) } satisfies HostileCase;
    });
}

/** Basic credentials only where a client authenticates; form fields only in form bodies. */
function effectivePlace(place: Place, auth: string, body: string | undefined, type: string | undefined): Place {
  if (place === 'basic' && auth !== 'basic') return 'header';
  if (place === 'form' && (body === undefined || type !== 'application/x-www-form-urlencoded')) return body === undefined ? 'query-value' : 'json-string';
  if (place === 'json-string' && (body === undefined || type !== 'application/json')) return 'query-name';
  return place;
}
