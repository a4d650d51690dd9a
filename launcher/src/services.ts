import path from 'node:path';
import type { ServiceName } from '@lab/shared';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The entry point of each service, run as `node --import tsx <entry>` (one process, no npm/tsx wrapper). */
export const SERVICE_ENTRIES: ReadonlyArray<{ name: ServiceName; entry: string }> = [
  { name: 'authserver', entry: 'authserver/src/main.ts' },
  { name: 'resource-api', entry: 'resource-api/src/main.ts' },
  { name: 'bff', entry: 'bff/src/main.ts' },
  { name: 'spa', entry: 'spa/server/main.ts' },
  { name: 'attacker', entry: 'attacker/src/main.ts' },
];
