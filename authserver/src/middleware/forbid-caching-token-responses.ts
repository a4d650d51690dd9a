import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Next } from 'koa';

/**
 * RFC 6749 §5.1: a token response carries `Cache-Control: no-store` and `Pragma: no-cache`.
 * oidc-provider sets the first on every endpoint that answers with secrets, not the second, which
 * older HTTP/1.0 caches and proxies still read; added here to every answer of the token endpoint,
 * errors included (§5.2 answers are token responses too).
 */
export async function forbidCachingTokenResponses(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
  await next();
  if (ctx.oidc?.route === 'token') ctx.set('Pragma', 'no-cache');
}
