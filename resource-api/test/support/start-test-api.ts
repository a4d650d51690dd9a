import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet } from 'jose';
import { expect } from 'vitest';
import type { JWTVerifyGetKey } from 'jose';
import { DefenceSwitches } from '@lab/shared';
import type { DefenceName } from '@lab/shared';
import { instrumentResourceApi } from '@lab/wing';
import { createRunSettings } from '../../src/run-settings.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { ResourceApiConfig } from '../../src/config.ts';
import { createInMemoryNotesStore } from '../../src/notes-store.ts';
import type { TestSigningKey } from './tokens.ts';

export interface TestApi {
  /** e.g. `http://127.0.0.1:39517`: an ephemeral port, never the lab's 4001. */
  readonly url: string;
  readonly defences: DefenceSwitches;
  /** What the API told its operator. */
  readonly logs: string[];
  close(): Promise<void>;
}

/**
 * Starts the real resource API on port 0 with the lab's default configuration. The keys come
 * from `key`'s JWKS, or from `getKey` (e.g. a `createRemoteJWKSet`) when given.
 */
export async function startTestApi(options: {
  key?: TestSigningKey;
  getKey?: JWTVerifyGetKey;
  weakened?: DefenceName[];
  config?: Partial<ResourceApiConfig>;
  /** With the lab's instruments attached (as `main.ts` does): the trace and the control routes (with `config.lab.controlKey`). */
  instrumented?: boolean;
}): Promise<TestApi> {
  const getKey = options.getKey ?? (options.key && createLocalJWKSet(options.key.jwks));
  if (!getKey) throw new Error('startTestApi needs a key or a getKey');
  const defences = new DefenceSwitches(options.weakened);
  const logs: string[] = [];
  const config = { ...loadConfig({}), ...options.config };
  const notes = createInMemoryNotesStore();
  const settings = createRunSettings(config);
  const hook = options.instrumented ? instrumentResourceApi({ ...config, defences, settings, notes }).hook : undefined;
  const app = createApp(config, { getKey, notes, defences, settings, hook, log: (line) => logs.push(line) });

  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    defences,
    logs,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** `GET /notes` the way the BFF calls it: `Authorization: Bearer <token>`. */
export function getNotes(api: TestApi, token: string): Promise<Response> {
  return fetch(`${api.url}/notes`, { headers: { Authorization: `Bearer ${token}` } });
}

/** The body of `GET /notes`, as the wire carries it. */
export interface NotesBody {
  owner: string;
  notes: Array<{ id: string; owner: string; text: string; createdAt: string }>;
}

/** `fetch` types every JSON body as `unknown`; tests name the shape they expect. */
export async function readJson<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Asserts the exact `invalid_token` answer: 401, the RFC 6750 §3 challenge, and the JSON body. */
export async function expectInvalidToken(response: Response, description: string): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="resource-api", error="invalid_token", error_description="${description}"`);
  expect(await response.json()).toEqual({ error: 'invalid_token', message: description });
}
