import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { resolveTopology, type ServiceName } from '@lab/shared';
import { BFF_ENDPOINT_ROWS } from './support/docs/bff-endpoint-rows.ts';
import { BFF_ERROR_ROWS } from './support/docs/bff-error-rows.ts';
import { readCurlExamples } from './support/docs/console-examples.ts';
import { errorCodesIn, headersIn, jsonIn, statusCodePairsIn, statusesIn, statusOf, type HeaderClaim, type StatusClaim } from './support/docs/doc-claims.ts';
import { expectEndpointRow, expectErrorRow, expectTestsNameClaims } from './support/docs/expect-claims.ts';
import { FAULT_ROWS } from './support/docs/fault-rows.ts';
import { signInOverHttp } from './support/http-sign-in.ts';
import { CSRF } from './support/docs/bff-calls.ts';
import { call, type Answer, type LabAccess } from './support/docs/lab-client.ts';
import { readCodeBlocks, readSection, readTable, REPO_ROOT, type TableLocation, type TableRow } from './support/docs/markdown-tables.ts';
import { RESOURCE_API_ERROR_ROWS } from './support/docs/resource-api-error-rows.ts';
import { sourceOfTest, type RowCheck } from './support/docs/row-checks.ts';
import { SHARED_ERROR_ROWS } from './support/docs/shared-error-rows.ts';

/**
 * The docs' tables of statuses, error codes and headers, checked against the running lab: each
 * row's situation is made to happen and the answer compared with what the row says, or, where the
 * shared lab cannot make it (a party stopped or frozen), the tests that do are named and must
 * check what the row says. A row without either fails here, so a claim added to a doc is checked
 * from the start. (The scenario docs are generated from real runs: `npm run docs:scenarios`.)
 */

const lab: LabAccess = { topology: inject('topology'), controlKey: inject('controlKey') };
const ARCHITECTURE = 'docs/architecture.md';

/** "Errors are JSON … always with `Cache-Control: no-store`": a header every error row carries. */
const EVERY_ERROR = (() => {
  const text = readSection(ARCHITECTURE, '## The services, file by file').lines.join(' ');
  const always = /always with (`[^`]+`)/.exec(text);
  if (!always) throw new Error(`${ARCHITECTURE}: the sentence on what every error answer carries ("always with \`…\`") is gone`);
  return headersIn(always[1]!);
})();

/** Every row has a check and every check a row: a new claim cannot go unchecked, nor a check outlive its row. */
function itCoversEveryRow(rows: readonly TableRow[], keyOf: (row: TableRow) => string, checks: Readonly<Record<string, RowCheck>>, where: string): void {
  it('has a check for every row, and a row for every check', () => {
    const keys = rows.map(keyOf);
    const unchecked = rows.filter((row) => !Object.hasOwn(checks, keyOf(row))).map((row) => `${row.at}: ${keyOf(row)}`);
    expect(unchecked, `rows with no provocation and no mapping: add one in ${where}`).toEqual([]);
    expect(
      Object.keys(checks).filter((key) => !keys.includes(key)),
      `checks in ${where} whose row is gone or reworded`,
    ).toEqual([]);
  });
}

/** One test per row: provoked (`provoke`), or mapped to other tests (`coveredBy`), or a to-do. */
function itChecksRow(
  title: string,
  row: TableRow,
  check: RowCheck | undefined,
  expectations: { statuses: readonly StatusClaim[]; headers: readonly HeaderClaim[] },
  expectAnswers: (answers: Answer[]) => void,
): void {
  if (check === undefined) return; // reported by "has a check for every row"
  if ('provoke' in check) {
    it(title, async () => expectAnswers(await check.provoke(lab, row)));
  } else if ('coveredBy' in check) {
    it(`${title}: covered by ${check.coveredBy.map((named) => named.file).join(', ')}`, () => {
      expectTestsNameClaims(check.coveredBy.map(sourceOfTest), expectations);
    });
    if (check.gap) it.todo(`${title}: ${check.gap}`);
  } else {
    it.todo(`${title}: not covered yet: ${check.notCoveredYet}`);
  }
}

const ERROR_TABLES: ReadonlyArray<{ name: string; location: TableLocation; checks: Readonly<Record<string, RowCheck>>; where: string }> = [
  {
    name: "the BFF's errors",
    location: { file: ARCHITECTURE, section: '### bff', columns: ['code', 'status', 'when'] },
    checks: BFF_ERROR_ROWS,
    where: 'e2e/support/docs/bff-error-rows.ts',
  },
  {
    name: "the resource API's errors",
    location: { file: ARCHITECTURE, section: '### resource-api', columns: ['code', 'status', 'when'] },
    checks: RESOURCE_API_ERROR_ROWS,
    where: 'e2e/support/docs/resource-api-error-rows.ts',
  },
  {
    name: "the shared handler's errors",
    location: { file: ARCHITECTURE, section: '### shared (`@lab/shared`)', columns: ['code', 'status', 'when'] },
    checks: SHARED_ERROR_ROWS,
    where: 'e2e/support/docs/shared-error-rows.ts',
  },
];

for (const table of ERROR_TABLES) {
  describe(`${table.name} (${table.location.file}, ${table.location.section})`, () => {
    const rows = readTable(table.location);
    const codeOf = (row: TableRow) => row.cells.code!;
    itCoversEveryRow(rows, codeOf, table.checks, table.where);
    for (const row of rows) {
      const status = statusOf(row.cells.status!);
      const codes = errorCodesIn(row.cells.code!);
      const headers = [...headersIn(row.cells.when!), ...EVERY_ERROR];
      itChecksRow(
        `${row.cells.code} ${status} (${row.at})`,
        row,
        table.checks[codeOf(row)],
        { statuses: codes.map((code) => ({ status, code })), headers: headersIn(row.cells.when!) },
        (answers) => expectErrorRow(answers, { status, codes, headers }),
      );
    }
  });
}

describe(`the BFF's endpoints (${ARCHITECTURE}, ### bff)`, () => {
  const rows = readTable({ file: ARCHITECTURE, section: '### bff', columns: ['endpoint', 'when', 'answer'] });
  const keyOf = (row: TableRow) => `${row.cells.endpoint} | ${row.cells.when}`;
  itCoversEveryRow(rows, keyOf, BFF_ENDPOINT_ROWS, 'e2e/support/docs/bff-endpoint-rows.ts');
  for (const row of rows) {
    const answer = row.cells.answer!;
    const claims = { statuses: statusesIn(answer), headers: headersIn(answer), json: jsonIn(answer) };
    itChecksRow(`${keyOf(row)} (${row.at})`, row, BFF_ENDPOINT_ROWS[keyOf(row)], claims, (answers) => expectEndpointRow(answers, claims));
  }

  /** `GET /bff/login`, and `` `GET`/`POST /api/notes` `` as two: the endpoints a cell names. */
  const endpointsIn = (text: string) =>
    [...text.matchAll(/(?:`([A-Z]+)`\/)?`([A-Z]+) (\/[^`?\s]*)/g)].flatMap((match) =>
      [match[1], match[2]].filter((method) => method !== undefined).map((method) => `${method} ${match[3]}`),
    );
  const tableEndpoints = rows.flatMap((row) => endpointsIn(row.cells.endpoint!));
  const named = (endpoint: string, among: readonly string[]) =>
    among.includes(endpoint) || (endpoint.split(' ')[1]!.startsWith('/api/') && among.includes('ANY /api/*'));

  it('names the endpoints of the lab contract', () => {
    const contract = ['GET /bff/login', 'GET /bff/callback', 'GET /bff/user', 'POST /bff/logout', 'ANY /api/*'];
    expect(contract.filter((endpoint) => !tableEndpoints.includes(endpoint))).toEqual([]);
  });

  it('names every endpoint the channel table sends from the browser to the BFF, and no other', () => {
    const channels = readTable({ file: ARCHITECTURE, section: '## Front channel and back channel', columns: ['channel', 'from → to', 'what'] });
    const toBff = channels.filter((row) => row.cells['from → to'] === 'browser → spa → bff');
    expect(toBff, 'one row "browser → spa → bff"').toHaveLength(1);
    const channelEndpoints = endpointsIn(toBff[0]!.cells.what!);
    expect(
      channelEndpoints.filter((endpoint) => !named(endpoint, tableEndpoints)),
      'in the channel table, not in the endpoint table',
    ).toEqual([]);
    const inTableOnly = tableEndpoints.filter((endpoint) =>
      endpoint === 'ANY /api/*' ? !channelEndpoints.some((other) => other.includes(' /api/')) : !channelEndpoints.includes(endpoint),
    );
    expect(inTableOnly, 'in the endpoint table, not in the channel table').toEqual([]);
  });
});

describe('README: when a party fails', () => {
  const rows = readTable({ file: 'README.md', section: '## When a party fails', columns: ['what fails', 'what the app gets', 'time'] });
  const keyOf = (row: TableRow) => row.cells['what fails']!;
  itCoversEveryRow(rows, keyOf, FAULT_ROWS, 'e2e/support/docs/fault-rows.ts');
  for (const row of rows) {
    const gets = row.cells['what the app gets']!;
    const claims = { statuses: statusesIn(gets), headers: headersIn(gets) };
    it(`quotes a status and an error code (${row.at})`, () => {
      expect(claims.statuses.length).toBeGreaterThan(0);
      for (const claim of claims.statuses) expect(claim.code, `${claim.status} without a code`).toBeDefined();
    });
    itChecksRow(`${keyOf(row)} (${row.at})`, row, FAULT_ROWS[keyOf(row)], claims, (answers) => expectEndpointRow(answers, { ...claims, json: undefined }));
  }
});

describe('the services and where they run', () => {
  const defaults = resolveTopology({});
  const serviceOf = (row: TableRow) => {
    const name = row.cells.service as ServiceName;
    expect(Object.keys(defaults), `${row.at}: a service of the lab`).toContain(name);
    return name;
  };
  const urlOf = (cell: string) => /^`([^`]+)`$/.exec(cell)?.[1];

  it('README: each URL is the default, and the running service answers GET /healthz there', async () => {
    const rows = readTable({ file: 'README.md', section: '## The services', columns: ['service', 'URL', 'role, in the terms of the seed text'] });
    expect(rows.map(serviceOf).sort()).toEqual(Object.keys(defaults).sort());
    for (const row of rows) {
      const service = serviceOf(row);
      expect(urlOf(row.cells.URL!), row.at).toBe(defaults[service].url);
      // The test lab runs on other ports; the host is the doc's.
      const running = lab.topology[service].url;
      expect(new URL(running).hostname, row.at).toBe(new URL(defaults[service].url).hostname);
      expect((await call(`GET ${running}/healthz`, `${running}/healthz`)).status, `${row.at}: GET /healthz`).toBe(200);
    }
  });

  it(`${ARCHITECTURE}: each URL, bind address and port variable is the one the lab uses`, () => {
    const rows = readTable({
      file: ARCHITECTURE,
      section: '## The parties and where they run',
      columns: ['service', 'URL (origin)', 'binds to', 'port variable', 'OAuth role'],
    });
    expect(rows.map(serviceOf).sort()).toEqual(Object.keys(defaults).sort());
    for (const row of rows) {
      const service = serviceOf(row);
      const { url, host, port, portVariable } = defaults[service];
      expect(urlOf(row.cells['URL (origin)']!), row.at).toBe(url);
      expect(urlOf(row.cells['binds to']!), row.at).toBe(host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);
      expect(urlOf(row.cells['port variable']!), row.at).toBe(portVariable);
      expect(lab.topology[service].host, `${row.at}: the running lab binds there too`).toBe(host);
    }
  });
});

describe('README: the curl examples of "What to try first"', () => {
  const examples = readCodeBlocks('README.md', '## What to try first', 'console').flatMap(readCurlExamples);
  it('has examples to check', () => expect(examples.length).toBeGreaterThan(0));
  for (const example of examples) {
    it(example.command, async () => {
      // The doc's URLs are the defaults; the test lab answers on its own ports.
      const url = example.url.replace(resolveTopology({}).spa.url, lab.topology.spa.url);
      const response = await fetch(url, { headers: example.headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      expect(`${response.status} ${response.statusText}`).toBe(`${example.status} ${example.statusText}`);
      if (example.body !== undefined) expect(await response.text()).toBe(example.body);
    });
  }
});

describe('statuses the prose quotes beside an error code', () => {
  /** What the checked tables say each code's status is. */
  const tableStatuses = new Map<string, Set<number>>();
  const note = (code: string, status: number) => tableStatuses.set(code, (tableStatuses.get(code) ?? new Set()).add(status));
  for (const table of ERROR_TABLES) {
    for (const row of readTable(table.location)) for (const code of errorCodesIn(row.cells.code!)) note(code, statusOf(row.cells.status!));
  }
  for (const row of readTable({ file: ARCHITECTURE, section: '### bff', columns: ['endpoint', 'when', 'answer'] })) {
    for (const { status, code } of statusesIn(row.cells.answer!)) if (code) note(code, status);
  }
  const docs = [
    'README.md',
    ...readdirSync(path.join(REPO_ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.md'))
      .map((file) => `docs/${file}`),
  ];

  it.each(docs)('%s agrees with the tables', (file) => {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8').replace(/\s+/g, ' ');
    const disagreeing = statusCodePairsIn(text)
      .filter(({ status, code }) => tableStatuses.has(code) && !tableStatuses.get(code)!.has(status))
      .map(({ status, code }) => `${status} ${code} (the tables: ${[...tableStatuses.get(code)!].join(' or ')})`);
    expect(disagreeing, 'statuses that disagree with the tables').toEqual([]);
  });

  it('/api/*: a body without Content-Type is 415 unsupported_media_type, as at the resource API ("What the proxy forwards")', async () => {
    const text = readSection(ARCHITECTURE, '## Calling the API, with a silent refresh').lines.join(' ').replace(/\s+/g, ' ');
    expect(text).toContain('A body sent without any `Content-Type` is 415 `unsupported_media_type` too, as at the resource API.');
    const { agent } = await signInOverHttp(lab.topology, 'alice');
    // A Blob without a type: fetch sends no Content-Type at all.
    const response = await agent.request(`${lab.topology.spa.url}/api/notes`, { method: 'POST', headers: CSRF, body: new Blob(['{"text":"untyped"}']) });
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ error: 'unsupported_media_type', message: 'Send the body as application/json.' });
  });
});
