import { randomUUID } from 'node:crypto';
import { DEMO_USERS } from '@lab/shared';

/** One note. `owner` is the `sub` of the access token that wrote it. */
export interface Note {
  readonly id: string;
  readonly owner: string;
  readonly text: string;
  readonly createdAt: string;
}

/** Where notes live. Every method takes the owner: there is no way to ask for "all notes". */
export interface NotesStore {
  list(owner: string): Promise<Note[]>;
  add(owner: string, text: string): Promise<Note>;
  /** LAB ONLY (`DELETE /_lab/notes`): back to the seed notes, so each scenario run starts alike. */
  reset?(): Promise<void>;
}

/**
 * A few notes per demo user, plainly theirs, so that a leak is obvious on screen: if Mallory ever
 * sees "the spare key is under the blue pot", a defence is off.
 */
export const SEED_NOTES: Readonly<Record<string, readonly string[]>> = {
  alice: ["Alice's note: dentist on Tuesday", "Alice's note: the spare key is under the blue pot"],
  bob: ["Bob's note: buy oat milk", "Bob's note: the bank PIN hint is my cat's birthday"],
  mallory: ["Mallory's note: find out where Alice keeps her spare key", "Mallory's note: does the API really check aud?"],
};

/** Notes in memory, gone at restart; seeded for the demo users of `@lab/shared`. */
export function createInMemoryNotesStore(seed: Readonly<Record<string, readonly string[]>> = SEED_NOTES): NotesStore {
  const notesByOwner = new Map<string, Note[]>();

  function addNote(owner: string, text: string): Note {
    const note: Note = Object.freeze({ id: randomUUID(), owner, text, createdAt: new Date().toISOString() });
    notesByOwner.set(owner, [...(notesByOwner.get(owner) ?? []), note]);
    return note;
  }

  function plantSeed(): void {
    notesByOwner.clear();
    for (const { sub } of DEMO_USERS) {
      for (const text of seed[sub] ?? []) addNote(sub, text);
    }
  }
  plantSeed();

  return {
    async reset() {
      plantSeed();
    },
    async list(owner) {
      return [...(notesByOwner.get(owner) ?? [])];
    },
    async add(owner, text) {
      return addNote(owner, text);
    },
  };
}
