import { call, rawCall, sendBytes, type Answer, type LabAccess } from './lab-client.ts';
import type { RowCheck } from './row-checks.ts';

/**
 * The table of the shared handler and the services' edge (docs/architecture.md, "### shared"),
 * row by row, by the text of its `code` cell. Each row is made to happen at every service the
 * table names: the BFF, the resource API and the attacker's site.
 */

function servicesOf(lab: LabAccess): Array<[name: string, origin: string]> {
  return [
    ['bff', lab.topology.bff.url],
    ['resource-api', lab.topology['resource-api'].url],
    ['attacker', lab.topology.attacker.url],
  ];
}

/** The same request at each service, named after it. */
function atEachService(lab: LabAccess, send: (origin: string, service: string) => Promise<Answer>): Promise<Answer[]> {
  return Promise.all(servicesOf(lab).map(([service, origin]) => send(origin, service)));
}

/** `PUT /_lab/settings` with the run's key: a JSON route every service has, and the same for all. */
function putSettings(lab: LabAccess, origin: string, what: string, headers: Record<string, string>, body: string | Buffer): Promise<Answer> {
  return rawCall(what, origin, {
    method: 'PUT',
    target: '/_lab/settings',
    headers: { 'X-Lab-Key': lab.controlKey, 'Content-Type': 'application/json', ...headers },
    body,
  });
}

export const SHARED_ERROR_ROWS: Readonly<Record<string, RowCheck>> = {
  '`not_found`': {
    provoke: (lab) => atEachService(lab, (origin, service) => call(`${service}: GET /nothing-here`, `${origin}/nothing-here`)),
  },
  '`invalid_json`': {
    provoke: (lab) => atEachService(lab, (origin, service) => putSettings(lab, origin, `${service}: broken JSON`, {}, '{"weakened":')),
  },
  '`invalid_content_encoding`': {
    provoke: async (lab) => {
      const answers: Answer[] = [];
      for (const encoding of ['gzip', 'deflate', 'br']) {
        answers.push(
          ...(await atEachService(lab, (origin, service) =>
            putSettings(lab, origin, `${service}: a body that is not ${encoding}`, { 'Content-Encoding': encoding }, 'not compressed at all'),
          )),
        );
      }
      return answers;
    },
  },
  '`invalid_url_encoding`': {
    provoke: async (lab) => {
      const answers: Answer[] = [];
      for (const target of ['/healthz?x=%zz', '/healthz?x=%', '/%E0%A4%A']) {
        answers.push(...(await atEachService(lab, (origin, service) => rawCall(`${service}: GET ${target}`, origin, { target }))));
      }
      return answers;
    },
  },
  '`invalid_host`': {
    provoke: (lab) => atEachService(lab, (origin, service) => rawCall(`${service}: Host: [::1`, origin, { target: '/healthz', headers: { Host: '[::1' } })),
  },
  '`bad_request`': {
    provoke: async (lab) => {
      const answers: Answer[] = [];
      for (const [what, bytes] of [
        ['a header name with a space', 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'],
        ['a bad method', 'G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
      ] as const) {
        answers.push(...(await atEachService(lab, (origin, service) => sendBytes(`${service}: ${what}`, origin, bytes))));
      }
      return answers;
    },
  },
  '`request_header_fields_too_large`': {
    provoke: (lab) =>
      atEachService(lab, (origin, service) =>
        sendBytes(`${service}: a 20 kB header`, origin, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
      ),
  },
  '`request_timeout`': {
    notCoveredYet: 'Node answers 408 only after its request timeout (minutes); shared/test/server-edge.test.ts does not wait for one',
  },
  '`method_not_allowed`': {
    provoke: (lab) =>
      atEachService(lab, (origin, service) => sendBytes(`${service}: CONNECT`, origin, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')),
  },
  '`internal_error`': {
    notCoveredYet: 'no test makes a service of the lab fail unexpectedly and reads the body of its 500 (shared/src/http-errors.ts has no unit test yet)',
  },
};
