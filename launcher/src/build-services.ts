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
 * start on Node 20 (every import is transformed on the fly).
 *
 * The authorization server, the resource API, the app's origin and the attacker are one file each,
 * with the npm packages they use inside (but `RUN_TIME_PACKAGES`): Node 20 loads an ES module graph
 * file by file, and the authorization server's is a few hundred files (oidc-provider, Koa, jose...);
 * one file starts it in about 60 % of the time (docs/performance.md, "Start-up"). Whitespace and
 * syntax are minified (a smaller script is parsed faster, and V8 keeps every script's text in
 * memory); names are kept, since packages read their classes' names (`error.name`) and bundling
 * renames the ones that collide.
 *
 * The BFF's bundle holds only the lab's code, and imports its packages from node_modules: kept
 * names cost every function of the packages a property of its own, and the BFF's memory is what the
 * lab is measured on (4–6 MB more with its packages inside). It starts in about 390 ms so, against
 * 230 ms as one file: not the last service up.
 *
 * The source maps are written beside the bundles, for `NODE_OPTIONS=--enable-source-maps` (stack
 * traces in the TypeScript) and the CPU profiles' summaries; Node does not load them by default,
 * since it would keep each one in memory (16 MB for a bundle with its packages). The hash covers
 * every source file, the lockfile and this file, so an edit, a new package version or a change in
 * how the services are built is picked up by the next start without a command of its own.
 */
export async function buildServices(): Promise<ServiceBuild> {
  const files = SOURCE_DIRS.flatMap((dir) => listFiles(path.join(REPO_ROOT, dir), (name) => /\.(ts|js|json|html|css)$/.test(name)));
  // By its path in the repository: `npm start` runs the launcher bundled elsewhere.
  files.push(path.join(REPO_ROOT, 'package-lock.json'), path.join(REPO_ROOT, 'launcher', 'src', 'build-services.ts'));
  const entryPointsOf = (services: ReadonlyArray<{ name: string; entry: string }>) =>
    Object.fromEntries(services.map(({ name, entry }) => [name, path.join(REPO_ROOT, entry)]));
  const { dir, built } = await buildOnce({ buildRoot: BUILD_ROOT, repoRoot: REPO_ROOT, files }, async (staging) => {
    const common = { outdir: staging, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: 'linked', logLevel: 'silent' } as const;
    await Promise.all([
      build({
        ...common,
        entryPoints: entryPointsOf(SERVICE_ENTRIES.filter(({ name }) => !PACKAGES_IMPORTED.includes(name))),
        minifyWhitespace: true,
        minifySyntax: true,
        keepNames: true,
        // The packages' CommonJS modules call `require`, which an ES module does not have.
        banner: { js: "import { createRequire as __labCreateRequire } from 'node:module'; const require = __labCreateRequire(import.meta.url);" },
        plugins: [stayImported((name) => RUN_TIME_PACKAGES.some((kept) => name === kept || name.startsWith(`${kept}/`)))],
      }),
      build({
        ...common,
        entryPoints: entryPointsOf(SERVICE_ENTRIES.filter(({ name }) => PACKAGES_IMPORTED.includes(name))),
        plugins: [stayImported((name) => !name.startsWith('@lab/'))],
      }),
    ]);
  });
  const entries = Object.fromEntries(SERVICE_ENTRIES.map(({ name }) => [name, path.join(dir, `${name}.js`)])) as Record<ServiceName, string>;
  return { dir, entries, built };
}

/** Services whose bundle imports its npm packages from node_modules (see above). */
const PACKAGES_IMPORTED: readonly string[] = ['bff'] satisfies ServiceName[];

/**
 * Packages that stay ordinary imports in every bundle, resolved from the repository's node_modules
 * at run time (the build lives below the repository root): Vite (the app's origin runs its preview
 * and dev servers, which load their own plugins and esbuild's native binary), and ioredis, which is
 * loaded only when the sessions live in Redis (`LAB_STORE=redis`).
 */
const RUN_TIME_PACKAGES = ['vite', 'esbuild', 'ioredis'];

/** Bare imports that `imported` names stay imports; the others (and relative ones) are bundled. */
function stayImported(imported: (name: string) => boolean): Plugin {
  return {
    name: 'stay-imported',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (args) => (imported(args.path) ? { path: args.path, external: true } : undefined));
    },
  };
}
