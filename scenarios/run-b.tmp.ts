// Throwaway runner (attack-b): node --import tsx scenarios/run-b.tmp.ts <module> [defended|weakened|override|all] [--quiet]
import { launchBrowser, LabConnection, runScenario, Narrator, type Scenario } from './src/index.ts';
import { resolveTopology } from '@lab/shared';
const [file, mode = 'all', quiet] = process.argv.slice(2);
const mod = await import(`./src/attacks/${file}.ts`) as Record<string, unknown>;
const scenarios = Object.values(mod).flat().filter((v): v is Scenario => typeof v === 'object' && v !== null && 'run' in v);
const lab = new LabConnection(resolveTopology(process.env), process.env.LAB_CONTROL_KEY!);
const browser = await launchBrowser();
const narrator = new Narrator((t) => process.stdout.write(t), false);
let ok = true;
for (const s of scenarios) {
  const weakened = s.weaken && s.weaken.length > 0;
  const runs: Array<[string, readonly string[] | undefined]> = [];
  if (!weakened && (mode === 'all' || mode === 'defended')) runs.push(['defended', undefined]);
  if (weakened && (mode === 'all' || mode === 'weakened')) runs.push(['weakened', undefined]);
  if (weakened && (mode === 'all' || mode === 'override')) runs.push(['override', []]);
  for (const [label, override] of runs) {
    if (!quiet) narrator.intro(s);
    console.log(`  start at ${Date.now() % 100000}`);
    const r = await runScenario(s, { lab, browser, setupOverride: override ? s.attack?.defended : undefined, onStep: (st) => { if (quiet) console.log(`  step ${st.number} at ${Date.now() % 100000}`); else narrator.step(st); } });
    console.log(`  end at ${Date.now() % 100000}`);
    if (!quiet) narrator.summary(r);
    const expectPass = label !== 'override';
    const good = r.pass === expectPass;
    ok &&= good;
    const failed = r.expectations.filter((e) => !e.pass).map((e) => e.name);
    console.log(`== ${s.id} [${label}] pass=${r.pass} ${good ? 'OK' : 'WRONG'} ${(r.durationMs / 1000).toFixed(1)}s ${r.error ? 'error=' + r.error : ''} failed=${JSON.stringify(failed.slice(0, 4))}`);
  }
}
await browser.close();
process.exit(ok ? 0 : 1);
