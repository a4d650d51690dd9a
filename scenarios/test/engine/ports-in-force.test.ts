import { resolveTopology } from '@lab/shared';
import { describe, expect, it } from 'vitest';
import { withPortsInForce } from '../../src/engine/ports-in-force.ts';

const moved = resolveTopology({ SPA_PORT: '25173', BFF_PORT: '23000', API_PORT: '24001', AUTHSERVER_PORT: '4001', ATTACKER_PORT: '26660' });

describe('narration with the addresses in force', () => {
  it('tells a default address with the port in force, and drops "by default"', () => {
    expect(withPortsInForce("Mallory's page (http://[::1]:6660/csrf by default) is a third site.", moved)).toBe(
      "Mallory's page (http://[::1]:26660/csrf) is a third site.",
    );
    expect(withPortsInForce('the password goes to 127.0.0.1:4000, never to localhost:5173', moved)).toBe(
      'the password goes to 127.0.0.1:4001, never to localhost:25173',
    );
  });

  it('replaces in one pass: a port in force that is another default is not moved again', () => {
    // The authorization server moved to 4001, the API's default: 4000 → 4001 stays 4001.
    expect(withPortsInForce('issuer 127.0.0.1:4000; API http://localhost:4001 (bound at 127.0.0.1:4001)', moved)).toBe(
      'issuer 127.0.0.1:4001; API http://localhost:24001 (bound at 127.0.0.1:24001)',
    );
  });

  it('leaves the text alone on the default ports, apart from "by default"', () => {
    expect(withPortsInForce('http://[::1]:6660 by default', resolveTopology({}))).toBe('http://[::1]:6660');
    expect(withPortsInForce('ports 15173 and 43000', moved)).toBe('ports 15173 and 43000');
  });
});
