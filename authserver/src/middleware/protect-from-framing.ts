import type { Context, Next } from 'koa';
import type { DefenceSwitches } from '@lab/shared';

/**
 * Clickjacking defence (RFC 9700 §4.16): no page of the authorization server may be framed by
 * another site, or an attacker could overlay the login or consent buttons.
 * `frame-ancestors` for current browsers, `X-Frame-Options` for old ones.
 */
export function protectFromFraming(defences: DefenceSwitches) {
  return async function framingHeaders(ctx: Context, next: Next): Promise<void> {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (defences.isOn('frame-protection')) {
      ctx.set('X-Frame-Options', 'DENY');
      ctx.set('Content-Security-Policy', "frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
    }
    await next();
  };
}
