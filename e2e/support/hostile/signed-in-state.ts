import type { LabTopology } from '@lab/shared';
import { LAB_KEY_HEADER } from '@lab/shared';
import { HttpUserAgent, openLoginPage } from '../http-sign-in.ts';
import type { Placeholder } from './hostile-case.ts';
import type { RawRequest } from './raw-http.ts';
import { signInToApp } from './sign-in-to-app.ts';

/** The user the hostile traffic signs in as: not alice, whom the other end-to-end tests use. */
export const HOSTILE_USER = 'bob';

interface StoreSession {
  readonly sub?: string;
  readonly tokens?: { readonly accessToken?: string; readonly accessTokenExpiresAt?: number };
}

/**
 * The live credentials hostile requests carry: a signed-in session at the BFF, its access token
 * (for direct calls to the resource API), a live interaction at the authorization server. Hostile
 * requests may end any of them (a logout, a consent, a refresh that fails), so `renew` checks
 * them before each batch and makes new ones as needed. The values never leave this object
 * except into the bytes of a request: reports show `{{session}}`, not a cookie.
 */
export class SignedInState {
  readonly #topology: LabTopology;
  readonly #controlKey: string;
  readonly #timeoutMs: number;
  #values: Partial<Record<Placeholder, string>> = {};
  /** Sign-ins done to keep a session (the first one included). */
  signIns = 0;
  /** Times no access token could be had for the resource API (its requests then went without one). */
  missingBearer = 0;
  /** Sign-ins that failed while the hostile traffic ran: what went wrong, in one line each. */
  readonly signInFailures: string[] = [];

  constructor(topology: LabTopology, controlKey: string, timeoutMs: number) {
    this.#topology = topology;
    this.#controlKey = controlKey;
    this.#timeoutMs = timeoutMs;
    this.#values.labKey = controlKey;
  }

  async renew(): Promise<void> {
    if (!(await this.#sessionIsAlive())) {
      try {
        await this.#signIn();
      } catch (error) {
        // The batch goes on signed out; the failure is reported (and the health check signs in again).
        this.signInFailures.push(error instanceof Error ? error.message : String(error));
        delete this.#values.session;
      }
    }
    await this.#readBearer();
    await this.#openInteraction();
  }

  /** `request` with every `{{placeholder}}` replaced by its live value. */
  fill(request: RawRequest): RawRequest {
    const fill = (text: string) => text.replace(/\{\{(\w+)\}\}/g, (whole, name: Placeholder) => this.#values[name] ?? whole);
    return {
      ...request,
      target: fill(request.target),
      headers: request.headers.map(([name, value]) => [name, fill(value)] as const),
      ...(typeof request.body === 'string' ? { body: fill(request.body) } : {}),
      ...(typeof request.raw === 'string' ? { raw: fill(request.raw) } : {}),
    };
  }

  async #sessionIsAlive(): Promise<boolean> {
    if (!this.#values.session) return false;
    try {
      const response = await fetch(`${this.#topology.spa.url}/bff/user`, {
        headers: { Cookie: this.#values.session, 'X-CSRF': '1' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  async #signIn(): Promise<void> {
    const agent = new HttpUserAgent(this.#topology.spa.url, { timeoutMs: this.#timeoutMs * 2 });
    const answer = await signInToApp(agent, HOSTILE_USER);
    if (answer.step !== 'callback' || answer.status >= 400) throw new Error(`signing in as ${HOSTILE_USER} failed: ${answer.step} answered ${answer.status}`);
    this.signIns += 1;
    this.#values.session = agent.appCookie();
    this.#values.sessionId = agent.jar.valueFor(agent.appOrigin, 'bff_session') ?? '';
    this.#values.sessionSig = agent.jar.valueFor(agent.appOrigin, 'bff_session.sig') ?? '';
    this.#values.asSession = agent.jar.headerFor(this.#topology.authserver.url);
  }

  /**
   * The freshest access token of the hostile user, from the lab's session-store view (behind the
   * control key). A token about to expire is refreshed first, by one call through the BFF.
   */
  async #readBearer(): Promise<void> {
    let token = await this.#freshestToken();
    if (!token) {
      await fetch(`${this.#topology.spa.url}/api/notes`, {
        headers: { Cookie: this.#values.session ?? '', 'X-CSRF': '1' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      })
        .then((response) => response.arrayBuffer())
        .catch(() => undefined);
      token = await this.#freshestToken();
    }
    if (!token) {
      this.missingBearer += 1;
      token = 'no.access.token';
    }
    const [header, payload, signature = ''] = token.split('.');
    this.#values.bearer = token;
    // Same claims, another signature: the last characters changed, the length kept.
    this.#values.bearerBadSignature = `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    this.#values.bearerAlgNone = `${Buffer.from('{"alg":"none","typ":"at+jwt"}').toString('base64url')}.${payload}.`;
  }

  async #freshestToken(): Promise<string | undefined> {
    try {
      const response = await fetch(`${this.#topology.bff.url}/_lab/session-store`, {
        headers: { [LAB_KEY_HEADER]: this.#controlKey },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      if (!response.ok) return undefined;
      const { sessions = [] } = (await response.json()) as { sessions?: StoreSession[] };
      // Expiry is in the lab's time, which may be ahead of real time (scenarios move it).
      const clock = await fetch(`${this.#topology.bff.url}/_lab/clock`, {
        headers: { [LAB_KEY_HEADER]: this.#controlKey },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const labNow = clock.ok ? Date.parse(((await clock.json()) as { now?: string }).now ?? '') : Number.NaN;
      const soon = (Number.isFinite(labNow) ? labNow : Date.now()) + 30_000;
      return sessions
        .filter((session) => session.sub === HOSTILE_USER && (session.tokens?.accessTokenExpiresAt ?? 0) > soon && session.tokens?.accessToken)
        .sort((a, b) => (b.tokens?.accessTokenExpiresAt ?? 0) - (a.tokens?.accessTokenExpiresAt ?? 0))[0]?.tokens?.accessToken;
    } catch {
      return undefined;
    }
  }

  /** A new interaction, stopped at its login page: hostile requests to `/interaction/:uid` reach its handlers. */
  async #openInteraction(): Promise<void> {
    try {
      const agent = new HttpUserAgent(this.#topology.spa.url, { timeoutMs: this.#timeoutMs * 2 });
      this.#values.uid = await openLoginPage(agent);
      this.#values.interactionCookies = agent.jar.headerFor(this.#topology.authserver.url);
    } catch {
      this.#values.uid = 'no-interaction';
      this.#values.interactionCookies = '';
    }
  }
}
