import type { LabTopology } from '@lab/shared';

/** The services whose `/healthz` does not answer 200 within `timeoutMs`: down, hung or crashed. */
export async function findUnhealthyServices(topology: LabTopology, timeoutMs: number): Promise<string[]> {
  const services = ['spa', 'bff', 'resource-api', 'authserver', 'attacker'] as const;
  const healthy = await Promise.all(
    services.map(async (service) => {
      try {
        const response = await fetch(`${topology[service].url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
        await response.arrayBuffer();
        return response.status === 200;
      } catch {
        return false;
      }
    }),
  );
  return services.filter((_, index) => !healthy[index]);
}
