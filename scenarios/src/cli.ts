import { runCli } from './run-cli.ts';

// `npm run scenario -- …` and `npm run scenarios`: see run-cli.ts for the options.
process.exitCode = await runCli(process.argv.slice(2));
