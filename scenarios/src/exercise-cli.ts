import { runExerciseCli } from './exercises/cli.ts';

// `npm run exercise -- …`: see exercises/cli.ts for the options.
process.exitCode = await runExerciseCli(process.argv.slice(2));
