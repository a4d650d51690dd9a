import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import type { HostileCase } from '../hostile-case.ts';
import { addToQuery, setHeader, toRawRequest } from '../request-parts.ts';
import { aim } from './common.ts';

/**
 * Methods a route was not written for: WebDAV and other registered ones Node's parser knows
 * (they reach the app), lower-case and made-up ones (the parser refuses them), and CONNECT.
 */
const ODD_METHODS = [
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'TRACE',
  'PATCH',
  'PUT',
  'DELETE',
  'OPTIONS',
  'HEAD',
  'SEARCH',
  'PURGE',
  'LINK',
  'UNLINK',
  'REPORT',
  'MKACTIVITY',
  'CHECKOUT',
  'MERGE',
  'M-SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'SOURCE',
  'QUERY',
  'ACL',
  'BIND',
  'REBIND',
  'UNBIND',
  'MKCALENDAR',
  'get',
  'Get',
  'pOST',
  'FOO',
  'BREW',
  'DEBUG',
  'TRACK',
  'GETS',
  'CONNECT',
  'A'.repeat(100),
];
const OVERRIDE_HEADERS = ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override'];

/**
 * Odd methods on every route, with and without a body, and method overrides (header or `_method`)
 * that a lenient framework would honour. Answers are 404/405/400/501-free: a 501 is a 5xx too.
 */
export function methodCases(topology: LabTopology): fc.Arbitrary<HostileCase> {
  return fc
    .record({
      aim: aim(topology),
      method: fc.constantFrom(...ODD_METHODS),
      override: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...OVERRIDE_HEADERS, '_method'), fc.constantFrom('DELETE', 'PUT', 'PATCH', 'TRACE', 'GET')) },
      ),
      body: fc.constantFrom('keep', 'drop', 'json'),
    })
    .map(({ aim: { target, route, parts }, method, override, body }) => {
      // Never with the real control key: DELETE /_lab/trace would clear the lab's trace.
      if (route.auth === 'lab-key') setHeader(parts, 'X-Lab-Key', 'not-the-key');
      parts.method = method;
      if (override) {
        const [name, value] = override;
        if (name === '_method') parts.query = addToQuery(parts.query, `_method=${value}`);
        else setHeader(parts, name, value);
        // An override travels on a POST, as HTML forms and old proxies send it.
        parts.method = 'POST';
      }
      if (body === 'drop') delete parts.body;
      if (body === 'json' && parts.body === undefined) {
        parts.body = '{"text":"hostile-input probe"}';
        setHeader(parts, 'Content-Type', 'application/json');
      }
      const request = toRawRequest(parts, method === 'CONNECT' && !override ? { target: new URL(topology[target].url).host } : {});
      return {
        category: 'methods',
        target,
        label: `${parts.method}${override ? ` (override ${override[0]}: ${override[1]})` : ''} ${route.path}`,
        request,
      } satisfies HostileCase;
    });
}
