import path from 'node:path';

/** The repository's root: the exercises read the SPA's source, and restore files of the BFF. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
