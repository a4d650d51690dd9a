import { type HttpUserAgent, walkAuthorization } from '../http-sign-in.ts';

/** What the BFF answered at the last step of a sign-in: `/bff/callback`, or `/bff/login` when it refused to start. */
export interface SignInAnswer {
  readonly step: 'login' | 'callback';
  readonly status: number;
  /** The `Location` header exactly as sent, or undefined. */
  readonly location: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  /** How many requests the sign-in took. */
  readonly requests: number;
}

/**
 * Signs in to the app as its "Sign in" button does, with whatever `returnTo` a hostile case
 * brings: `GET /bff/login?returnTo=…`, the authorization server's pages as `username`, then the
 * redirect back to `/bff/callback`, delivered. Returns the callback's answer (a redirect to
 * `returnTo` when all went well), or the login's when it did not redirect to the authorization
 * server (a refused `returnTo`).
 */
export async function signInToApp(agent: HttpUserAgent, username: string, options: { returnTo?: string; password?: string } = {}): Promise<SignInAnswer> {
  const query = options.returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(options.returnTo)}`;
  const login = await agent.request(`${agent.appOrigin}/bff/login${query}`);
  const authorizeUrl = login.headers.get('location');
  if (!authorizeUrl?.startsWith('http')) return answerOf(agent, 'login', login);
  await login.arrayBuffer();
  const callbackUrl = await walkAuthorization(agent, authorizeUrl, username, { password: options.password });
  return answerOf(agent, 'callback', await agent.request(callbackUrl));
}

async function answerOf(agent: HttpUserAgent, step: SignInAnswer['step'], response: Response): Promise<SignInAnswer> {
  return {
    step,
    status: response.status,
    location: response.headers.get('location') ?? undefined,
    contentType: response.headers.get('content-type') ?? undefined,
    body: (await response.text()).slice(0, 2000),
    requests: agent.requests,
  };
}
