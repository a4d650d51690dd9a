import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import type { Middleware } from 'koa';
import { InvalidJsonError, InvalidNoteError, UnsupportedMediaTypeError } from '../errors.ts';
import type { AuthState } from '../middleware/require-bearer-token.ts';
import { requireScope } from '../middleware/require-scope.ts';
import type { NotesStore } from '../notes-store.ts';

const MAX_NOTE_LENGTH = 500;

/**
 * `GET /notes` and `POST /notes`: the caller's own notes. The owner is always the `sub` of the
 * verified access token, never a parameter of the request, so there is nothing to change in a
 * request to read someone else's notes (no `?owner=bob`).
 */
export function createNotesRouter(deps: { notes: NotesStore; authenticate: Middleware<AuthState> }): Router<AuthState> {
  const router = new Router<AuthState>();
  // JSON only, and small: a note is at most 500 characters. Parsed after the token check, so an
  // anonymous caller cannot make the API read large bodies.
  const parseJson = bodyParser({
    enableTypes: ['json'],
    jsonLimit: '16kb',
    // co-body's parse errors are SyntaxErrors without `expose`: left alone they would become a 500.
    onError: (error) => {
      throw error instanceof SyntaxError ? new InvalidJsonError(error) : error;
    },
  });

  router.get('/notes', noStore, deps.authenticate, requireScope('notes:read'), async (ctx) => {
    const { sub } = ctx.state.auth;
    ctx.body = { owner: sub, notes: await deps.notes.list(sub) };
  });

  router.post('/notes', noStore, deps.authenticate, requireScope('notes:write'), requireJson, parseJson, async (ctx) => {
    const text = readNoteText(ctx.request.body);
    ctx.status = 201;
    ctx.body = { note: await deps.notes.add(ctx.state.auth.sub, text) };
  });

  return router;
}

/** Notes are private: no cache, shared or private, may keep a copy (RFC 9111 §5.2.2.5). */
const noStore: Middleware = async (ctx, next) => {
  ctx.set('Cache-Control', 'no-store');
  await next();
};

/** Without this check the body parser would quietly hand a form or text body over as `{}`. */
const requireJson: Middleware = async (ctx, next) => {
  if (!ctx.is('application/json')) throw new UnsupportedMediaTypeError();
  await next();
};

function readNoteText(body: unknown): string {
  const text = typeof body === 'object' && body !== null && 'text' in body ? body.text : undefined;
  if (typeof text !== 'string') throw new InvalidNoteError('The body must be a JSON object with a "text" string, e.g. {"text":"buy milk"}.');
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_NOTE_LENGTH) {
    throw new InvalidNoteError(`A note is 1 to ${MAX_NOTE_LENGTH} characters long (after trimming spaces); this one has ${trimmed.length}.`);
  }
  return trimmed;
}
