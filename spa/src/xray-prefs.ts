/**
 * The X-ray remembers, per browser, whether it is open, its size and what was cleared, so that it
 * stays open across the sign-in (the page goes to the authorization server and comes back).
 *
 * Kept in IndexedDB, not in `sessionStorage` or `localStorage`: the app's "What this browser can
 * see" panel and the scenarios check that web storage stays empty in the BFF pattern, and the
 * X-ray must not change what they show. It holds no secret.
 */

export interface XrayPrefs {
  readonly open: boolean;
  readonly size: 'docked' | 'full';
  /** Events that started before this ISO time are hidden ("Clear"). */
  readonly clearedAt?: string;
}

const DEFAULTS: XrayPrefs = { open: false, size: 'docked' };
const DATABASE = 'lab-xray';
const STORE = 'prefs';
const KEY = 'prefs';

let memory: XrayPrefs = DEFAULTS;

export async function loadXrayPrefs(): Promise<XrayPrefs> {
  try {
    const stored = await request<XrayPrefs | undefined>((store) => store.get(KEY), 'readonly');
    memory = { ...DEFAULTS, ...stored };
  } catch {
    // IndexedDB unavailable (a private window's settings): keep the prefs for this page only
  }
  return memory;
}

export async function saveXrayPrefs(patch: Partial<XrayPrefs>): Promise<void> {
  memory = { ...memory, ...patch };
  try {
    await request((store) => store.put(memory, KEY), 'readwrite');
  } catch {
    // see loadXrayPrefs
  }
}

function request<T>(operation: (store: IDBObjectStore) => IDBRequest, mode: IDBTransactionMode): Promise<T> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const database = opening.result;
      const pending = operation(database.transaction(STORE, mode).objectStore(STORE));
      pending.onsuccess = () => {
        resolve(pending.result as T);
        database.close();
      };
      pending.onerror = () => {
        reject(pending.error);
        database.close();
      };
    };
  });
}
