import { readFileSync } from 'node:fs';
import type { RunningLab } from '@lab/launcher';
import type { ServiceName } from '@lab/shared';

/** Linux counts a process's CPU time in clock ticks of 10 ms (`getconf CLK_TCK` = 100). */
const MS_PER_TICK = 10;

/** CPU milliseconds (user + system) spent by each service, and by this process (the load generator). */
export type CpuSpent = Partial<Record<ServiceName | 'client', number>>;

/**
 * Runs `work` and returns, beside its result, how much CPU each running service and this process
 * spent meanwhile (from /proc/<pid>/stat; Linux only: elsewhere the services' figures are absent).
 */
export async function measureCpu<T>(lab: RunningLab, services: readonly ServiceName[], work: () => Promise<T>): Promise<{ result: T; cpu: CpuSpent }> {
  const before = readAll(lab, services);
  const clientBefore = process.cpuUsage();
  const result = await work();
  const client = process.cpuUsage(clientBefore);
  const after = readAll(lab, services);
  const cpu: CpuSpent = { client: (client.user + client.system) / 1000 };
  for (const name of services) {
    const start = before[name];
    const end = after[name];
    if (start !== undefined && end !== undefined) cpu[name] = end - start;
  }
  return { result, cpu };
}

function readAll(lab: RunningLab, services: readonly ServiceName[]): Partial<Record<ServiceName, number>> {
  const spent: Partial<Record<ServiceName, number>> = {};
  // A service the lab does not run (the profile runs the BFF by hand) has no figure here.
  for (const name of services.filter((service) => lab.processes.includes(service))) {
    const pid = lab.pidOf(name);
    const ms = pid === undefined ? undefined : readCpuMs(pid);
    if (ms !== undefined) spent[name] = ms;
  }
  return spent;
}

/** utime + stime of a process: fields 14 and 15 of /proc/<pid>/stat, counted after the `(comm)` field. */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
  } catch {
    return undefined;
  }
}

/** "bff 4.1, authserver 6.0, …" ms of CPU per item. */
export function formatCpuPerItem(cpu: CpuSpent, items: number): string {
  const labels: Record<string, string> = { authserver: 'authserver', 'resource-api': 'API', bff: 'BFF', spa: "app's origin", client: 'load client' };
  return (
    Object.entries(cpu)
      // A party with no CPU worth a tick was not on the path (the app's origin for a direct call).
      .filter(([, ms]) => ms !== undefined && ms / Math.max(1, items) >= 0.005)
      .map(([name, ms]) => `${labels[name] ?? name} ${(ms! / Math.max(1, items)).toFixed(2)}`)
      .join(', ')
  );
}
