import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { ServiceName } from '@lab/shared';
import { REPO_ROOT, SERVICE_ENTRIES } from './services.ts';

/** The folders whose TypeScript makes up the services (tests and the browser app are not in it). */
const SOURCE_DIRS = ['shared/src', 'kit/src', 'lab-wing/src', 'authserver/src', 'resource-api/src', 'bff/src', 'spa/server', 'attacker/src'];
const BUILD_ROOT = path.join(REPO_ROOT, '.lab', 'build');
/** Builds of other source versions kept beside the current one (other checkouts' branches, a bisect). */
const KEEP_BUILDS = 3;

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
  const dir = path.join(BUILD_ROOT, hashSources());
  const entries = Object.fromEntries(SERVICE_ENTRIES.map(({ name }) => [name, path.join(dir, `${name}.js`)])) as Record<ServiceName, string>;
  if (existsSync(path.join(dir, 'complete'))) return { dir, entries, built: false };

  // Built aside, then renamed into place: two labs starting at once never run a half-written build.
  const staging = `${dir}.${process.pid}.${Date.now()}`;
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
  writeFileSync(path.join(staging, 'complete'), new Date().toISOString());
  try {
    renameSync(staging, dir);
  } catch {
    // Another start built the same sources first: use that one.
    rmSync(staging, { recursive: true, force: true });
  }
  removeOldBuilds(dir);
  return { dir, entries, built: true };
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

function hashSources(): string {
  const hash = createHash('sha256');
  const files = SOURCE_DIRS.flatMap((dir) => listFiles(path.join(REPO_ROOT, dir))).concat(path.join(REPO_ROOT, 'package-lock.json'));
  for (const file of files.sort()) {
    hash.update(path.relative(REPO_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full);
    return /\.(ts|js|json|html|css)$/.test(entry.name) ? [full] : [];
  });
}

function removeOldBuilds(current: string): void {
  const builds = readdirSync(BUILD_ROOT)
    .map((name) => path.join(BUILD_ROOT, name))
    .filter((dir) => dir !== current && existsSync(path.join(dir, 'complete')))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const old of builds.slice(KEEP_BUILDS - 1)) rmSync(old, { recursive: true, force: true });
  mkdirSync(BUILD_ROOT, { recursive: true });
}
