import * as bff from './bff-client.ts';
import type { BffUser, Note, NoteList } from './bff-client.ts';
import { loadLabState, type LabMode } from './lab-state.ts';

/**
 * What the app's panels need from "the client", whichever it is this run:
 * - `bff` mode (`bff-client.ts`): the BFF is the OAuth client; the browser holds no token.
 * - `public-client` mode (`public-client.ts`): the anti-pattern; the SPA is the OAuth client and
 *   keeps the tokens in `localStorage`.
 * Same calls, same screens, same `data-testid`s: only where the tokens live differs.
 */
export interface AppClient {
  readonly mode: LabMode;
  /** Who is signed in, or `null`. In `public-client` mode it also finishes a login on `/spa-callback`. */
  fetchUser(): Promise<BffUser | null>;
  /** Leaves the page for the authorization server (a full navigation). */
  startLogin(returnTo: string): Promise<void>;
  /** Ends the session here; the answer may carry the authorization server's logout URL to go to. */
  logout(): Promise<{ logoutUrl?: string }>;
  listNotes(): Promise<NoteList>;
  addNote(text: string): Promise<Note>;
}

const bffClient: AppClient = {
  mode: 'bff',
  fetchUser: bff.fetchUser,
  startLogin: async (returnTo) => bff.startLogin(returnTo),
  logout: bff.logout,
  listNotes: bff.listNotes,
  addNote: bff.addNote,
};

let choosing: Promise<AppClient> | undefined;

/** The client for this page load, chosen once from the lab's mode (`/lab/state.json`). */
export function getAppClient(): Promise<AppClient> {
  choosing ??= chooseAppClient();
  return choosing;
}

async function chooseAppClient(): Promise<AppClient> {
  const state = await loadLabState();
  if (state.mode === 'public-client') {
    // Loaded only in this mode: with the BFF, the browser does not even have an OAuth library.
    const { createPublicClient } = await import('./public-client.ts');
    return createPublicClient(state);
  }
  // Back in BFF mode: nothing an earlier public-client run left behind stays readable to scripts.
  removeLabEntries(localStorage);
  removeLabEntries(sessionStorage);
  return bffClient;
}

function removeLabEntries(storage: Storage): void {
  const names = Array.from({ length: storage.length }, (_, index) => storage.key(index)).filter((name): name is string => name?.startsWith('lab.') === true);
  for (const name of names) storage.removeItem(name);
}
