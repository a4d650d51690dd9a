import { bffInstancePorts, DEMO_USERS, type LabStore, DEFENCES, type DefenceName, type LabMode, type LabTopology } from '@lab/shared';

/** The table `npm start` prints: where each party is, what it plays, who can sign in. */
export function formatSummary(
  topology: LabTopology,
  weakened: readonly DefenceName[],
  startupMs: number,
  logDir: string,
  mode: LabMode = 'bff',
  buildMs = 0,
): string {
  const rows = [topology.spa, topology.bff, topology['resource-api'], topology.authserver, topology.attacker];
  const nameWidth = Math.max(...rows.map((row) => row.name.length));
  const urlWidth = Math.max(...rows.map((row) => row.url.length));
  const lines = [
    '',
    // The first start after a change builds the services: say so, or that start looks slow for no reason.
    `OAuth BFF lab is up (ready in ${(startupMs / 1000).toFixed(1)} s${buildMs > 0 ? `, of which ${(buildMs / 1000).toFixed(1)} s building the services, once per version of their sources` : ''})`,
    '',
    ...rows.map((row) => `  ${row.name.padEnd(nameWidth)}  ${row.url.padEnd(urlWidth)}  ${roleInMode(row.name, row.role, mode)}`),
    '',
    `Open ${topology.spa.url} and sign in as one of:`,
    ...DEMO_USERS.map((user) => `  ${user.username.padEnd(8)} password: ${user.password.padEnd(8)} ${user.part}`),
    '',
  ];
  if (weakened.length > 0) {
    lines.push(
      '!! WEAKENED LAB: these defences are OFF (LAB_WEAKEN). Do not mistake this for the secure lab.',
      ...weakened.map((name) => `!!   ${name}: ${DEFENCES[name].what}`),
      '',
    );
  } else if (mode === 'public-client') {
    lines.push('Every defence switch is on, but the BFF pattern itself is not: in this mode the browser holds the tokens.', '');
  } else {
    lines.push('All defences are on (set LAB_WEAKEN=name,name to switch some off).', '');
  }
  if (mode === 'public-client') {
    lines.push('!! ANTI-PATTERN MODE (LAB_MODE=public-client): the SPA is a public client and keeps its tokens in localStorage.', '');
  }
  lines.push(`Service logs: ${logDir}`, 'Press Ctrl-C to stop all services.', '');
  return lines.join('\n');
}

/** In the anti-pattern mode the BFF is not the client: the summary says so instead of its usual role. */
function roleInMode(service: string, role: string, mode: LabMode): string {
  if (mode === 'public-client' && service === 'bff') return 'not the client in this mode: the SPA is a public client and keeps the tokens in the browser';
  return role;
}

/** Where sessions and grants live in this run, and which processes serve the BFF. */
export function formatStoreSummary(lab: { readonly store: LabStore; readonly topology: LabTopology; readonly processes: readonly string[] }): string {
  const instances = lab.processes.filter((name) => name.startsWith('bff#'));
  const lines =
    lab.store.kind === 'redis'
      ? [`Sessions, tokens and grants: in Redis at ${lab.store.url} (LAB_STORE=redis); crashed services are restarted by the launcher.`]
      : ["Sessions, tokens and grants: in each service's memory (LAB_STORE=memory, the default): a restart signs everyone out."];
  if (instances.length > 1) {
    const ports = bffInstancePorts(lab.topology.bff.port, instances.length);
    lines.push(
      `${instances.length} BFF instances (${instances.map((name, index) => `${name} on ${ports[index]}`).join(', ')}); the app's origin spreads /bff/* and /api/* over them.`,
    );
  }
  return `${lines.join('\n')}\n`;
}
