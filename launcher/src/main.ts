import { ConfigError, loadLabRunConfig, readInteger } from '@lab/shared';
import { makeLabEnv } from './lab-env.ts';
import { LabStartError, startLab } from './start-lab.ts';
import { formatStoreSummary, formatSummary } from './print-summary.ts';
import { removeRunFile, writeRunFile } from './run-file.ts';

// `npm start`: the lab's services (the four OAuth parties and the attacker's site), together, until Ctrl-C.
try {
  const env = makeLabEnv(process.env);
  // Checked here first, so a bad LAB_WEAKEN or LAB_MODE is one clear line, not five failed services.
  const { weakened, mode } = loadLabRunConfig(env);
  console.log('Starting the OAuth BFF lab...');
  // How long each service may take to answer its health check (seconds); a loaded machine may need more.
  const timeoutMs = readInteger(env, 'LAB_START_TIMEOUT', 30, 1, 600) * 1000;
  const lab = await startLab({ env, timeoutMs });
  writeRunFile({ pid: process.pid, startedAt: new Date().toISOString(), topology: lab.topology, controlKey: env.LAB_CONTROL_KEY });
  console.log(formatSummary(lab.topology, weakened, lab.startupMs, lab.logDir, mode, lab.buildMs));
  console.log(formatStoreSummary(lab));

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the lab...');
    removeRunFile();
    await lab.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof LabStartError || error instanceof ConfigError) {
    console.error(`\nThe lab did not start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
