import { readRunFile } from '@lab/launcher';
import { resolveTopology } from '@lab/shared';
import { describeOffset, moveLabTime, parseTimeJump, readLabClocks, type ServiceClock } from './lab-time.ts';

/**
 * `npm run lab -- time`: the lab's time and how far it is ahead of real time.
 * `npm run lab -- time +SECONDS` (or `+5m`, `+8h`, `+1d`): every service's time that much later,
 * and what expired as a result, as each service reports it.
 *
 * Uses the lab `npm start` runs (`.lab/run.json`), or the one `LAB_CONTROL_KEY` and the `*_PORT`
 * variables name.
 */
const USAGE = 'usage: npm run lab -- time [+SECONDS | +Nm | +Nh | +Nd]';
const [command, jump, ...rest] = process.argv.slice(2);

if (command !== 'time' || rest.length > 0) {
  console.error(USAGE);
  process.exit(2);
}
const run = process.env.LAB_CONTROL_KEY ? { topology: resolveTopology(process.env), controlKey: process.env.LAB_CONTROL_KEY } : readRunFile();
if (!run) {
  console.error('No lab is running: start one with npm start (time travel moves a running lab).');
  process.exit(1);
}

try {
  if (jump === undefined) {
    print(await readLabClocks(run.topology, run.controlKey));
  } else {
    const seconds = parseTimeJump(jump);
    if (seconds === undefined) {
      console.error(`"${jump}" is no time jump. ${USAGE}`);
      process.exit(2);
    }
    const moved = await moveLabTime(run.topology, run.controlKey, seconds);
    console.log(`Every service's time moved ${describeOffset(seconds)} forward.`);
    print(moved);
    console.log('\nWhat expired in the jump:');
    for (const clock of moved) {
      const items = Object.entries(clock.expired ?? {}).filter(([, count]) => count > 0);
      console.log(
        `  ${(clock.instance ? `${clock.service}:${clock.instance}` : clock.service).padEnd(12)} ${items.length > 0 ? items.map(([kind, count]) => `${kind}: ${count}`).join(', ') : 'nothing'}`,
      );
    }
  }
} catch (error) {
  console.error(`Cannot reach the lab's clock: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

function print(clocks: readonly ServiceClock[]): void {
  if (clocks.length === 0) {
    console.error('No service answered: is the lab running?');
    process.exit(1);
  }
  const ahead = Math.max(...clocks.map((clock) => clock.offsetSeconds));
  console.log(`Lab time: ${clocks[0]?.now.replace('T', ' ').slice(0, 19)} UTC, ahead of real time by ${describeOffset(ahead)}`);
  const held = clocks.filter((clock) => clock.held);
  if (held.length > 0) {
    console.log(
      `  held: the lab's time stands still${held.length < clocks.length ? ` in ${held.map(nameOf).join(', ')}` : ''} (a step-by-step scenario run holds it between its steps; it runs on at the next step, or within 2 min of the run's end)`,
    );
  }
  // Holds stop and restart each service a few milliseconds apart: a second apart is no restart.
  const apart = clocks.filter((clock) => ahead - clock.offsetSeconds > 1);
  if (apart.length > 0) console.log(`  behind the others (restarted?): ${apart.map(nameOf).join(', ')}; the next move brings them along`);
}

function nameOf(clock: ServiceClock): string {
  return clock.instance ? `${clock.service}:${clock.instance}` : clock.service;
}
