/**
 * alice's most private seeded note (resource-api/src/notes-store.ts): if Mallory ever sees it,
 * a defence is off.
 */
export const ALICE_SECRET_NOTE = "Alice's note: the spare key is under the blue pot";

/** Whose notes a `GET /notes` body holds, and their texts (empty when the call was refused). */
export function readNotes(body: unknown): { owner?: string; texts: string[] } {
  const list = body as { owner?: unknown; notes?: Array<{ text?: unknown }> } | undefined;
  return {
    owner: typeof list?.owner === 'string' ? list.owner : undefined,
    texts: Array.isArray(list?.notes) ? list.notes.map((note) => String(note.text)) : [],
  };
}
