import type { RowCheck } from './row-checks.ts';

/**
 * The README's "When a party fails" table (what fails | what the app gets | time), row by row,
 * by its `what fails` cell. Each row stops, freezes or restarts a party, or fills the BFF with
 * unfinished logins, which the shared lab cannot do without spoiling the other tests: each is
 * mapped to the tests that do it in a lab of their own (`e2e/faults.test.ts`) or against one
 * service. The times are checked there (each answer within 6 s), not here.
 */
export const FAULT_ROWS: Readonly<Record<string, RowCheck>> = {
  'the notes API is down or slow': {
    coveredBy: [{ file: 'e2e/faults.test.ts', test: 'resource API stopped: 502 resource_api_unavailable' }],
    gap: 'no test makes the resource API slow: the 5 s bound is not checked',
  },
  'the authorization server is down (refresh, login, callback)': {
    coveredBy: [
      { file: 'e2e/faults.test.ts', test: 'authorization server down at the callback: 503 authserver_unavailable' },
      { file: 'bff/test/routes/api-proxy-upstream.test.ts', test: 'answers 503 authserver_unavailable when the token must be refreshed' },
      { file: 'bff/test/routes/bff-rules.test.ts', test: 'answers 503 authserver_unavailable, as JSON, when the authorization server is down' },
    ],
  },
  'the authorization server is frozen or overloaded': {
    coveredBy: [
      { file: 'e2e/faults.test.ts', test: 'authorization server frozen while a token must be refreshed: 504 authserver_timeout' },
      { file: 'e2e/faults.test.ts', test: 'authorization server frozen at the callback: 504' },
    ],
  },
  'the authorization server restarted (new keys, grants forgotten)': {
    coveredBy: [{ file: 'e2e/faults.test.ts', test: 'authorization server restarted with new keys' }],
  },
  'the BFF restarted (sessions are in its memory)': {
    coveredBy: [{ file: 'e2e/faults.test.ts', test: 'BFF restarted: sessions in its memory are gone' }],
  },
  'Redis down or not answering (the Redis set-up)': {
    coveredBy: [
      { file: 'e2e-redis/production-shape.test.ts', test: 'Redis stopped: 503 session_store_unavailable with Retry-After' },
      { file: 'bff/test/redis/redis-stores.test.ts', test: 'frozen (SIGSTOP): each call fails within the command timeout with session_store_unavailable' },
      { file: 'authserver/test/storage/redis-storage.test.ts', test: 'answers 503 temporarily_unavailable within a second or so' },
    ],
  },
  'too many unfinished sign-ins (anonymous callers can start them)': {
    coveredBy: [
      { file: 'bff/test/login-attempts.test.ts', test: 'refuses new logins with 429 too_many_pending_logins' },
      { file: 'authserver/test/storage/anonymous-entries.test.ts', test: 'shows a browser at /auth a page saying how long to wait, with Retry-After' },
    ],
  },
};
