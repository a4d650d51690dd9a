import type { RunningLab } from '@lab/launcher';
import { DEMO_USERS } from '@lab/shared';
import { measureCpu, type CpuSpent } from './cpu-time.ts';
import { runWorkers, type WorkerRun } from './run-workers.ts';
import type { HttpUserAgent } from '../../e2e/support/http-sign-in.ts';
import { signInAgain, signInNewBrowser } from './sign-in.ts';

export interface LoginRun extends WorkerRun {
  /** CPU spent by the parties of a login and by the load client during the run. */
  readonly cpu: CpuSpent;
}

const LOGIN_PARTIES = ['authserver', 'bff', 'spa'] as const;

/**
 * Headless logins per second at each concurrency: each login is a new browser (no cookie at
 * all), the whole way a user goes: `GET /bff/login`, the authorization server's login form and
 * consent form, and the callback, where the BFF redeems the code (the demo users in turn).
 */
export async function measureLoginRates(lab: RunningLab, concurrencies: readonly number[], durationMs: number): Promise<LoginRun[]> {
  const signIn = (index: number) => signInNewBrowser(lab.topology, DEMO_USERS[index % DEMO_USERS.length]!.username);
  // Warm-up, not counted: the first logins compile the code paths of all three parties.
  await runWorkers({ concurrency: 4, durationMs: 60_000, maxItems: 40 }, signIn);
  const runs: LoginRun[] = [];
  for (const concurrency of concurrencies) {
    const { result, cpu } = await measureCpu(lab, LOGIN_PARTIES, () => runWorkers({ concurrency, durationMs }, signIn));
    runs.push({ ...result, cpu });
  }
  return runs;
}

/**
 * Sign-ins of users already signed in at the authorization server (see `signInAgain`): how the
 * memory measurement makes its sessions, timed here to know how long making them will take.
 */
export async function measureSingleSignOnRate(lab: RunningLab, concurrency: number, durationMs: number): Promise<LoginRun> {
  const signedIn: HttpUserAgent[] = [];
  for (const user of DEMO_USERS) signedIn.push(await signInNewBrowser(lab.topology, user.username));
  const signIn = (index: number) => signInAgain(lab.topology, signedIn[index % signedIn.length]!, DEMO_USERS[index % DEMO_USERS.length]!.username);
  const { result, cpu } = await measureCpu(lab, LOGIN_PARTIES, () => runWorkers({ concurrency, durationMs }, signIn));
  return { ...result, cpu };
}
