import path from 'node:path';
import { buildOnce, listFiles, type CachedBuild } from '@lab/kit/build-cache';
import { build } from 'vite';

/**
 * The app as a production build (`vite build`), made once per version of its sources and cached
 * under `.lab/app-build/<hash>/`, like the services' own build. The hash covers the app's
 * sources, the browser-safe contract it imports (`shared/src`), the lockfile and the values the
 * build writes into the code (`define`). Source maps are built too: the browser's developer tools
 * show `spa/src` as it is written.
 */
export function buildApp(spaRoot: string, define: Readonly<Record<string, string>>): Promise<CachedBuild> {
  const repoRoot = path.resolve(spaRoot, '..');
  const files = [...listFiles(path.join(spaRoot, 'src')), ...listFiles(path.join(repoRoot, 'shared', 'src'))];
  files.push(path.join(spaRoot, 'index.html'), path.join(repoRoot, 'package-lock.json'));
  return buildOnce({ buildRoot: path.join(repoRoot, '.lab', 'app-build'), repoRoot, files, extra: JSON.stringify(define) }, async (staging) => {
    await build({
      configFile: false,
      root: spaRoot,
      logLevel: 'silent',
      define,
      build: { outDir: staging, emptyOutDir: true, sourcemap: true, reportCompressedSize: false },
    });
  });
}
