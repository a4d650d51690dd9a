import Koa from 'koa';
import type { JWTVerifyGetKey } from 'jose';
import { handleErrors, rejectMalformedUrl, type ServiceHook } from '@lab/kit';
import { redactTokens, type DefenceSwitches } from '@lab/shared';
import type { ResourceApiConfig } from './config.ts';
import { AuthServerUnavailableError } from './errors.ts';
import { allowSpaOrigin } from './middleware/allow-spa-origin.ts';
import { requireBearerToken } from './middleware/require-bearer-token.ts';
import { setSecurityHeaders } from './middleware/set-security-headers.ts';
import type { NotesStore } from './notes-store.ts';
import { createHealthRouter } from './routes/health.ts';
import { createNotesRouter } from './routes/notes.ts';
import { createRunSettings, type RunSettings } from './run-settings.ts';
import { verifyAccessToken } from './verify-access-token.ts';
import { PROOF_CLOCK_TOLERANCE_SECONDS, PROOF_WINDOW_SECONDS, verifyDpopProof } from './verify-dpop-proof.ts';
import { SeenProofs } from './seen-proofs.ts';

export interface AppDeps {
  /** The authorization server's public keys: `createRemoteJWKSet` in `main.ts`, a local JWKS in tests. */
  readonly getKey: JWTVerifyGetKey;
  readonly notes: NotesStore;
  /** Read on every request, so the lab can weaken and restore a defence while the API runs. */
  readonly defences: DefenceSwitches;
  /** What the lab may change while the API runs (default: from the configuration). */
  readonly settings?: RunSettings;
  /** What may observe the API (the lab's instruments); nothing by default. */
  readonly hook?: ServiceHook;
  /** Where operator messages go; never receives a token. */
  readonly log?: (line: string) => void;
}

/** Builds the resource server. It never listens: `main.ts` does, tests call `app.callback()`. */
export function createApp(config: ResourceApiConfig, deps: AppDeps): Koa {
  const log = deps.log ?? ((line: string) => console.error(line));

  async function verify(token: string) {
    try {
      return await verifyAccessToken(token, {
        getKey: deps.getKey,
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockToleranceSeconds: config.clockToleranceSeconds,
        defences: deps.defences,
      });
    } catch (error) {
      // The client gets a plain 503; the operator learns which URL failed and why.
      if (error instanceof AuthServerUnavailableError) {
        log(`resource-api: cannot fetch the JWKS at ${config.jwksUrl}: ${describe(error.cause, { stack: false })}`);
      }
      throw error;
    }
  }

  // RFC 9449 §11.1: every accepted proof's jti, for as long as its iat keeps it acceptable.
  const seen = new SeenProofs((PROOF_WINDOW_SECONDS + 2 * PROOF_CLOCK_TOLERANCE_SECONDS) * 1000);
  const dpop = {
    isOn: () => deps.defences.isOn('dpop'),
    algorithms: config.dpopAlgorithms,
    verifyProof: (proof: string, request: { method: string; path: string }, accessToken: string, boundTo: string) =>
      verifyDpopProof(proof, request, accessToken, boundTo, { algorithms: config.dpopAlgorithms, origins: config.origins, seen }),
  };

  const settings = deps.settings ?? createRunSettings(config);
  const app = new Koa();
  if (deps.hook?.middleware) app.use(deps.hook.middleware);
  app.use(handleErrors((error, ctx) => log(`resource-api: ${ctx.method} ${ctx.path} failed: ${describe(error)}`)));
  app.use(rejectMalformedUrl());
  app.use(setSecurityHeaders());
  app.use(allowSpaOrigin(settings, config.topology.spa.url));
  app.use(createHealthRouter().routes());
  app.use(createNotesRouter({ notes: deps.notes, authenticate: requireBearerToken(verify, dpop) }).routes());
  return app;
}

/** One line for an expected failure, the stack for a bug; tokens shortened either way. */
function describe(error: unknown, options = { stack: true }): string {
  if (!(error instanceof Error)) return redactTokens(String(error));
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return redactTokens(`${options.stack ? (error.stack ?? error.message) : error.message}${cause}`);
}
