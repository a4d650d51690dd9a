import type { LabTopology } from '@lab/shared';

/**
 * The authorization server's access-token lifetime, read and changed through the lab's control
 * routes (`/_lab/settings`, behind the run's key). A change applies to tokens issued afterwards.
 */
export class AccessTokenLifetime {
  readonly #url: string;
  readonly #key: string;

  constructor(topology: LabTopology, controlKey: string) {
    this.#url = `${topology.authserver.url}/_lab/settings`;
    this.#key = controlKey;
  }

  async read(): Promise<number> {
    const settings = await this.#call('GET');
    return settings.accessTokenTtlSeconds as number;
  }

  async set(seconds: number): Promise<void> {
    const settings = await this.#call('PUT', { accessTokenTtlSeconds: seconds });
    if (settings.accessTokenTtlSeconds !== seconds)
      throw new Error(`the authorization server kept accessTokenTtlSeconds at ${String(settings.accessTokenTtlSeconds)}`);
  }

  async #call(method: 'GET' | 'PUT', patch?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await fetch(this.#url, {
      method,
      headers: { 'X-Lab-Key': this.#key, ...(patch ? { 'Content-Type': 'application/json' } : {}) },
      body: patch ? JSON.stringify(patch) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`${method} /_lab/settings on the authorization server answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }
}
