import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorBody } from '@lab/kit';
import { getNotes, readJson, startTestApi } from '../support/start-test-api.ts';
import type { NotesBody, TestApi } from '../support/start-test-api.ts';
import { createSigningKey, signAccessToken } from '../support/tokens.ts';
import type { TestSigningKey } from '../support/tokens.ts';

type NoteJson = NotesBody['notes'][number];

let key: TestSigningKey;
let api: TestApi;
beforeAll(async () => {
  key = await createSigningKey();
});
// A fresh API, hence fresh notes, for every test.
beforeEach(async () => {
  api = await startTestApi({ key });
});
afterEach(() => api.close());

function tokenFor(sub: string): Promise<string> {
  return signAccessToken(key, { claims: { sub } });
}

function postNote(token: string, body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${api.url}/notes`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
    body,
  });
}

describe('GET /notes', () => {
  it("gives alice her own notes and nobody else's", async () => {
    const response = await getNotes(api, await tokenFor('alice'));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const body = await readJson<NotesBody>(response);
    expect(body.owner).toBe('alice');
    expect(body.notes.map((note) => note.text)).toEqual(["Alice's note: dentist on Tuesday", "Alice's note: the spare key is under the blue pot"]);
    expect(body.notes.every((note) => note.owner === 'alice')).toBe(true);
  });

  it("gives bob his own notes, not alice's", async () => {
    const body = await readJson<NotesBody>(await getNotes(api, await tokenFor('bob')));
    expect(body.owner).toBe('bob');
    expect(body.notes.length).toBeGreaterThan(0);
    expect(body.notes.every((note) => note.owner === 'bob' && note.text.startsWith("Bob's note"))).toBe(true);
  });

  it('gives a user the API has never seen an empty list', async () => {
    const body = await (await getNotes(api, await tokenFor('carol'))).json();
    expect(body).toEqual({ owner: 'carol', notes: [] });
  });
});

describe('POST /notes', () => {
  it('adds a note that its author sees on the next GET, and only its author', async () => {
    const alice = await tokenFor('alice');
    const response = await postNote(alice, JSON.stringify({ text: '  water the plants  ' }));
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { note } = await readJson<{ note: NoteJson }>(response);
    expect(note).toEqual({ id: expect.any(String), owner: 'alice', text: 'water the plants', createdAt: expect.any(String) });

    const aliceNotes = await readJson<NotesBody>(await getNotes(api, alice));
    expect(aliceNotes.notes.at(-1)).toEqual(note);
    const bobNotes = await readJson<NotesBody>(await getNotes(api, await tokenFor('bob')));
    expect(bobNotes.notes.map((bobNote) => bobNote.id)).not.toContain(note.id);
  });

  it.each([
    ['an empty text', { text: '' }, 'A note is 1 to 500 characters long (after trimming spaces); this one has 0.'],
    ['only spaces', { text: '   ' }, 'A note is 1 to 500 characters long (after trimming spaces); this one has 0.'],
    ['501 characters', { text: 'x'.repeat(501) }, 'A note is 1 to 500 characters long (after trimming spaces); this one has 501.'],
    ['no text', { title: 'hello' }, 'The body must be a JSON object with a "text" string, e.g. {"text":"buy milk"}.'],
    ['a number', { text: 42 }, 'The body must be a JSON object with a "text" string, e.g. {"text":"buy milk"}.'],
    ['an array', ['hello'], 'The body must be a JSON object with a "text" string, e.g. {"text":"buy milk"}.'],
  ])('rejects %s with 400 invalid_note', async (_case, body, message) => {
    const response = await postNote(await tokenFor('alice'), JSON.stringify(body));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_note', message });
  });

  it('accepts exactly 500 characters', async () => {
    const response = await postNote(await tokenFor('alice'), JSON.stringify({ text: 'x'.repeat(500) }));
    expect(response.status).toBe(201);
  });

  it('rejects a form body with 415', async () => {
    const response = await postNote(await tokenFor('alice'), 'text=hello', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({
      error: 'unsupported_media_type',
      message: 'Send the note as JSON, with "Content-Type: application/json".',
    });
  });

  it.each([
    ['broken JSON', '{"text": '],
    ['a bare JSON string', '"hello"'],
  ])('rejects %s with 400 invalid_json', async (_case, body) => {
    const response = await postNote(await tokenFor('alice'), body);
    expect(response.status).toBe(400);
    const json = await readJson<ErrorBody>(response);
    expect(json.error).toBe('invalid_json');
    expect(json.message).toMatch(/^The body is not a JSON object or array \(.+\)\.$/);
  });

  it('rejects a body over 16 kB with 413', async () => {
    const response = await postNote(await tokenFor('alice'), JSON.stringify({ text: 'x'.repeat(20_000) }));
    expect(response.status).toBe(413);
    expect((await readJson<ErrorBody>(response)).error).toBe('payload_too_large');
  });

  it('checks the token before reading the body', async () => {
    const response = await fetch(`${api.url}/notes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"text": ' });
    expect(response.status).toBe(401);
    expect((await readJson<ErrorBody>(response)).error).toBe('missing_token');
  });
});
