import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that the summary reads. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number; readonly columnNumber: number };
    readonly children?: readonly number[];
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileLine {
  readonly name: string;
  /** Share of the busy time (idle excluded). */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  /** Time spent in the function itself, by function (and where it is). */
  readonly selfByFunction: readonly ProfileLine[];
  /** Time spent in the code of each package, lab source file or Node internals, itself. */
  readonly selfByOwner: readonly ProfileLine[];
  /**
   * Each sample charged to the innermost lab function on its stack (what the lab's code does
   * itself and through the packages it calls); samples with no lab frame (callbacks of sockets,
   * timers, promise jobs across an await) to their innermost package or Node frame.
   */
  readonly byLabCaller: readonly ProfileLine[];
  /** Time with a frame of each lab source file on the stack (for middleware: everything after it). */
  readonly totalByLabFile: readonly ProfileLine[];
}

/**
 * Reads a CPU profile of a service run from its bundle, and says where the time went: frames of
 * the bundle are mapped back through its source map, to the lab's TypeScript or to the npm package
 * they came from, which is named after the package.
 */
export function summarizeCpuProfile(file: string, repoRoot: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const locate = createLocator(repoRoot);

  const self = new Map<string, number>();
  const owners = new Map<string, number>();
  const labFiles = new Map<string, number>();
  const callers = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((sampleId, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const node = byId.get(sampleId)!;
    const { functionName } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const where = locate(node.callFrame);
    add(self, `${functionName || '(anonymous)'} ${where.label}`, ms);
    add(owners, where.owner, ms);
    const seen = new Set<string>();
    let caller: string | undefined;
    let fallback: string | undefined;
    for (let id: number | undefined = sampleId; id !== undefined; id = parentOf.get(id)) {
      const { callFrame } = byId.get(id)!;
      const frame = locate(callFrame);
      if (frame.labFile) {
        caller ??= `${callFrame.functionName || '(anonymous)'} ${frame.label}`;
        if (!seen.has(frame.labFile)) {
          seen.add(frame.labFile);
          add(labFiles, frame.labFile, ms);
        }
      } else if (fallback === undefined && frame.owner !== '(V8 built-ins)' && !callFrame.functionName.startsWith('(')) {
        fallback = `${callFrame.functionName || '(anonymous)'} ${frame.label} [no lab frame]`;
      }
    }
    add(callers, caller ?? fallback ?? `${functionName} [no lab frame]`, ms);
  });
  const rank = (totals: Map<string, number>): ProfileLine[] =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, share: ms / busyMs }));
  return { busyMs, idleMs, selfByFunction: rank(self), selfByOwner: rank(owners), byLabCaller: rank(callers), totalByLabFile: rank(labFiles) };
}

interface Location {
  /** `bff/src/app.ts:12`, `koa-compose`, `node:internal/http`… */
  readonly label: string;
  /** The npm package, `node internals`, the lab source file, or what V8 itself names. */
  readonly owner: string;
  readonly labFile?: string;
}

function createLocator(repoRoot: string): (frame: CpuProfile['nodes'][number]['callFrame']) => Location {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string): SourceMap | undefined => {
    if (!maps.has(file)) {
      const mapFile = `${file}.map`;
      maps.set(file, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')) as ConstructorParameters<typeof SourceMap>[0]) : undefined);
    }
    return maps.get(file);
  };
  return ({ url, lineNumber, columnNumber, functionName }) => {
    if (!url) return { label: '', owner: functionName.startsWith('(') ? functionName : '(V8 built-ins)' };
    if (url.startsWith('node:')) return { label: url, owner: 'node internals' };
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    const outside = packageOf(file);
    if (outside) return { label: outside, owner: outside };
    // The services' bundles hold the lab's code and the packages it uses: their source map says which.
    const entry = mapOf(file)?.findEntry(lineNumber, columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) {
      const original = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : path.resolve(path.dirname(file), entry.originalSource);
      const pkg = packageOf(original);
      if (pkg) return { label: pkg, owner: pkg };
      const source = path.relative(repoRoot, original);
      return { label: `${source}:${entry.originalLine + 1}`, owner: source, labFile: source };
    }
    const relative = path.relative(repoRoot, file);
    return { label: `${relative}:${lineNumber + 1}`, owner: relative };
  };
}

/** The npm package a file belongs to (`koa`, `@koa/router`), if it is one's. */
function packageOf(file: string): string | undefined {
  const nodeModules = file.lastIndexOf('/node_modules/');
  if (nodeModules < 0) return undefined;
  const [scopeOrName = '', name = ''] = file.slice(nodeModules + '/node_modules/'.length).split('/');
  return scopeOrName.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName;
}

function add(totals: Map<string, number>, key: string, ms: number): void {
  totals.set(key, (totals.get(key) ?? 0) + ms);
}

export function formatSummary(title: string, summary: ProfileSummary): string {
  const list = (lines: readonly ProfileLine[]) => lines.map((line) => `  ${(line.share * 100).toFixed(1).padStart(5)}%  ${line.name}`).join('\n');
  return [
    `${title}: ${(summary.busyMs / 1000).toFixed(1)} s busy, ${(summary.idleMs / 1000).toFixed(1)} s idle`,
    'self time by function:',
    list(summary.selfByFunction),
    'self time by package or file:',
    list(summary.selfByOwner),
    'charged to the innermost lab function on the stack:',
    list(summary.byLabCaller),
    'time with a frame of this lab file on the stack (inclusive):',
    list(summary.totalByLabFile),
  ].join('\n');
}
