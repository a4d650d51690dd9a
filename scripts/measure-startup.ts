import { makeLabEnv, startLab } from '@lab/launcher';

/**
 * Starts and stops the lab N times and prints the median time until every /healthz answered.
 *   node --import tsx scripts/measure-startup.ts [runs]
 * Uses its own ports (21173…) so a running `npm start` is left alone.
 */
const runs = Number(process.argv[2] ?? 5);
const times: number[] = [];
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  const lab = await startLab({
    env: makeLabEnv(process.env, { SPA_PORT: '21173', BFF_PORT: '21300', API_PORT: '21401', AUTHSERVER_PORT: '21400', ATTACKER_PORT: '21660' }),
    logDir: '/tmp/lab-startup-logs',
  });
  times.push(performance.now() - started);
  await lab.stop();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
console.log(`start-up to all healthy, ${runs} runs: ${times.map((ms) => (ms / 1000).toFixed(2)).join(' s, ')} s; median ${(median / 1000).toFixed(2)} s`);
