import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createSigningKey, signAccessToken } from '../support/tokens.ts';
import { getNotes, readJson, startTestApi, type NotesBody, type TestApi } from '../support/start-test-api.ts';

const LAB_KEY = 'resource-api-test-key-0123';
let api: TestApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe('DELETE /_lab/notes (lab only: each scenario run starts from the seed notes)', () => {
  it("puts every user's notes back to the seed, with the run's control key only", async () => {
    const key = await createSigningKey();
    api = await startTestApi({ key, config: { lab: { ...loadConfig({}).lab, controlKey: LAB_KEY } }, instrumented: true });
    const token = await signAccessToken(key);
    const added = await fetch(`${api.url}/notes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'written by a scenario' }),
    });
    expect(added.status).toBe(201);

    const refused = await fetch(`${api.url}/_lab/notes`, { method: 'DELETE', headers: { 'X-Lab-Key': 'not-the-key' } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'lab_key_required' });
    expect((await readJson<NotesBody>(await getNotes(api, token))).notes.map((note) => note.text)).toContain('written by a scenario');

    const reset = await fetch(`${api.url}/_lab/notes`, { method: 'DELETE', headers: { 'X-Lab-Key': LAB_KEY } });
    expect(reset.status).toBe(204);
    expect((await readJson<NotesBody>(await getNotes(api, token))).notes.map((note) => note.text)).toEqual([
      "Alice's note: dentist on Tuesday",
      "Alice's note: the spare key is under the blue pot",
    ]);
  });
});
