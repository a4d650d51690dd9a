import { describe, expect, it } from 'vitest';
import { buildSecurityHeaders } from '../../server/security-headers.ts';

const defaults = { appUrl: 'http://localhost:5173', authserverUrl: 'http://127.0.0.1:4000' };

describe('buildSecurityHeaders', () => {
  it('sends a CSP that allows only the app origin, its HMR socket and forms to the authorization server', () => {
    expect(buildSecurityHeaders({ ...defaults, contentSecurityPolicy: true })).toEqual({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy':
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self' ws://localhost:5173; object-src 'none'; base-uri 'none'; " +
        "form-action 'self' http://127.0.0.1:4000; frame-ancestors 'none'",
    });
  });

  it('leaves only the CSP out when the defence spa-csp is weakened', () => {
    expect(buildSecurityHeaders({ ...defaults, contentSecurityPolicy: false })).toEqual({
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'strict-origin-when-cross-origin',
      'X-Frame-Options': 'DENY',
    });
  });

  it('lets scripts call the authorization server and the API only when told to (public-client mode)', () => {
    const headers = buildSecurityHeaders({ ...defaults, contentSecurityPolicy: true, connectTo: ['http://127.0.0.1:4000', 'http://localhost:4001'] });
    expect(headers['Content-Security-Policy']).toContain("connect-src 'self' ws://localhost:5173 http://127.0.0.1:4000 http://localhost:4001;");
    expect(headers['Content-Security-Policy']).toContain("script-src 'self';");
  });

  it('follows the ports of the topology', () => {
    const headers = buildSecurityHeaders({ appUrl: 'http://localhost:15173', authserverUrl: 'http://127.0.0.1:14000', contentSecurityPolicy: true });
    expect(headers['Content-Security-Policy']).toContain("connect-src 'self' ws://localhost:15173;");
    expect(headers['Content-Security-Policy']).toContain("form-action 'self' http://127.0.0.1:14000;");
  });
});
