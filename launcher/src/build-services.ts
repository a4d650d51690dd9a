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
 * start on Node 20 (every import is transformed on the fly). Each service is one file with the npm
 * packages it uses inside (but `RUN_TIME_PACKAGES`): Node 20 loads an ES module graph of a few
 * hundred files (oidc-provider, Koa, openid-client, jose, undici...) file by file, and one file
 * starts each service in about 60 % of the time (docs/performance.md). Whitespace and syntax are
 * minified, names are kept: a smaller script is parsed faster, and V8 keeps every script's text in
 * memory. The source maps are written beside it, for `NODE_OPTIONS=--enable-source-maps` (stack
 * traces in the TypeScript) and the CPU profiles' summaries; Node does not load them by default,
 * since with them every service would hold its map in memory (about 16 MB more for the BFF).
 * The hash covers every source file and the lockfile, so an edit or a new package version is
 * picked up by the next start without a command of its own.
 */
export async function buildServices(): Promise<ServiceBuild> {
  const files = SOURCE_DIRS.flatMap((dir) => listFiles(path.join(REPO_ROOT, dir), (name) => /\.(ts|js|json|html|css)$/.test(name)));
  // The lockfile (the packages inside the bundles), and this file: a change in how they are built is a
  // new build too (by its path in the repository: `npm start` runs the launcher bundled elsewhere).
  files.push(path.join(REPO_ROOT, 'package-lock.json'), path.join(REPO_ROOT, 'launcher', 'src', 'build-services.ts'));
  const { dir, built } = await buildOnce({ buildRoot: BUILD_ROOT, repoRoot: REPO_ROOT, files }, async (staging) => {
    await build({
      entryPoints: Object.fromEntries(SERVICE_ENTRIES.map(({ name, entry }) => [name, path.join(REPO_ROOT, entry)])),
      outdir: staging,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      minifyWhitespace: true,
      minifySyntax: true,
      keepNames: true,
      logLevel: 'silent',
      // The packages' CommonJS modules call `require`, which an ES module does not have.
      banner: { js: "import { createRequire as __labCreateRequire } from 'node:module'; const require = __labCreateRequire(import.meta.url);" },
      plugins: [runTimePackagesStayExternal],
    });
  });
  const entries = Object.fromEntries(SERVICE_ENTRIES.map(({ name }) => [name, path.join(dir, `${name}.js`)])) as Record<ServiceName, string>;
  return { dir, entries, built };
}

/**
 * Packages that stay ordinary imports, resolved from the repository's node_modules at run time
 * (the build lives below the repository root): Vite (the app's origin runs its preview and dev
 * servers, which load their own plugins and esbuild's native binary), and ioredis, which the BFF
 * loads only when its sessions live in Redis (`LAB_STORE=redis`).
 */
const RUN_TIME_PACKAGES = ['vite', 'esbuild', 'ioredis'];

const runTimePackagesStayExternal: Plugin = {
  name: 'run-time-packages-stay-external',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      RUN_TIME_PACKAGES.some((name) => args.path === name || args.path.startsWith(`${name}/`)) ? { path: args.path, external: true } : undefined,
    );
  },
};
