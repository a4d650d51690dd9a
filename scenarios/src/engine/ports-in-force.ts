import { resolveTopology, type LabTopology } from '@lab/shared';

const DEFAULTS = resolveTopology({});

/**
 * Narration written once, with the lab's default addresses in it (a prerequisite's
 * "http://[::1]:6660/csrf by default"), told with the addresses of the lab in force: each default
 * `host:port` becomes the one in force, and "by default" goes, since the address now is the one
 * in force. Every replacement is made in one pass, so a port in force that happens to be another
 * service's default is not replaced twice.
 */
export function withPortsInForce(text: string, topology: LabTopology): string {
  const replacements = new Map<string, string>();
  for (const service of Object.values(DEFAULTS)) {
    const inForce = topology[service.name];
    replacements.set(new URL(service.url).host, new URL(inForce.url).host);
    // Where a service binds (127.0.0.1:4001 for the API's http://localhost:4001), as the BFF calls it.
    replacements.set(`${service.host}:${service.port}`, `${inForce.host}:${inForce.port}`);
  }
  for (const [from, to] of [...replacements]) if (from === to) replacements.delete(from);
  const localised =
    replacements.size === 0
      ? text
      : text.replace(new RegExp([...replacements.keys()].map(escapeRegExp).join('|'), 'g'), (found) => replacements.get(found) ?? found);
  return localised.replace(/((?:https?:\/\/)?(?:\[::1\]|localhost|127\.0\.0\.1):\d+\S*?) by default/g, '$1');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
