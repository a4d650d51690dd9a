import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { buildOnce, listFiles } from '@lab/kit/build-cache';
import type { ServiceName } from '@lab/shared';
import { REPO_ROOT, SERVICE_ENTRIES } from './services.ts';

/** The folders whose TypeScript makes up the services (tests and the browser app are not in it). */
const SOURCE_DIRS = ['shared/src', 'kit/src', 'lab-wing/src', 'authserver/src', 'resource-api/src', 'bff/src', 'spa/server', 'attacker/src'];
const BUILD_ROOT = path.join(REPO_ROOT, '.lab', 'build');

export interface ServiceBuild {
  /** The folder of this build, named after the hash of the sources it was made from. */
  readonly dir: string;
  /** The JavaScript file that runs each service. */
  readonly entries: Readonly<Record<ServiceName, string>>;
  /** True when this call built it; false when an earlier build of the same sources was reused. */
  readonly built: boolean;
}

/**
 * The services as plain JavaScript, built once per version of their sources and cached under
 * `.lab/build/<hash>/`. Running TypeScript through tsx's loader roughly doubles each service's
 * start on Node 20 (every import is transformed on the fly); an esbuild bundle of the lab's own
 * code, with every npm package left as an ordinary import, starts as fast as Node can load the
 * packages. The hash covers every source file and the lockfile, so an edit is picked up by the
 * next start without a command of its own.
 */
export async function buildServices(): Promise<ServiceBuild> {
  const files = SOURCE_DIRS.flatMap((dir) => listFiles(path.join(REPO_ROOT, dir), (name) => /\.(ts|js|json|html|css)$/.test(name)));
  files.push(path.join(REPO_ROOT, 'package-lock.json'));
  const { dir, built } = await buildOnce({ buildRoot: BUILD_ROOT, repoRoot: REPO_ROOT, files }, async (staging) => {
    await build({
      entryPoints: Object.fromEntries(SERVICE_ENTRIES.map(({ name, entry }) => [name, path.join(REPO_ROOT, entry)])),
      outdir: staging,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'silent',
      plugins: [npmPackagesStayExternal],
    });
  });
  const entries = Object.fromEntries(SERVICE_ENTRIES.map(({ name }) => [name, path.join(dir, `${name}.js`)])) as Record<ServiceName, string>;
  return { dir, entries, built };
}

/**
 * Bare imports stay imports, resolved from the repository's node_modules at run time (the build
 * lives below the repository root), except the lab's own workspaces (`@lab/*`), whose TypeScript
 * is bundled.
 */
const npmPackagesStayExternal: Plugin = {
  name: 'npm-packages-stay-external',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@lab/') ? undefined : { path: args.path, external: true }));
  },
};
