// `npm start`, in plain JavaScript so that Node runs it without a TypeScript loader: esbuild
// bundles the launcher (a few tens of milliseconds), then the launcher builds the services once
// per version of their sources (launcher/src/build-services.ts) and starts them.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const outfile = path.join(root, '.lab', 'build', `launcher-${process.pid}.mjs`);
mkdirSync(path.dirname(outfile), { recursive: true });
await build({
  entryPoints: [path.join(root, 'launcher', 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
  // npm packages stay imports; the lab's own workspaces (@lab/*) are bundled.
  plugins: [
    {
      name: 'npm-packages-stay-external',
      setup: (b) => b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@lab/') ? undefined : { path: a.path, external: true })),
    },
  ],
  define: { 'import.meta.dirname': JSON.stringify(path.join(root, 'launcher', 'src')) },
});
try {
  await import(pathToFileURL(outfile).href);
} finally {
  rmSync(outfile, { force: true });
}
