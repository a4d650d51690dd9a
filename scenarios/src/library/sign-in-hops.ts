/** The most hops a sign-in takes: authorize, login page, login, resume, consent, confirm, resume. */
const MAX_HOPS = 12;

/** What one request of a sign-in answered: enough to take the next hop. */
export interface HopAnswer {
  readonly status: number;
  /** The `Location` header of a redirect, else undefined. */
  readonly location: string | undefined;
  text(): Promise<string>;
}

/** Sends one request and never follows a redirect: a GET, or a form POST when `form` is given. */
export type SendHop = (url: string, form?: Readonly<Record<string, string>>) => Promise<HopAnswer>;

export interface WalkOptions {
  /** The password typed on the login page; a demo user's is their name. */
  readonly password?: string;
  /** Presses **Cancel** (`/abort`) on the first page instead of signing in. */
  readonly cancel?: boolean;
  /** Stops on the first page of the authorization server, not requested: returns its URL. */
  readonly stopAtLoginPage?: boolean;
}

/**
 * From an authorization request to the redirect back to the client, signing in and consenting on
 * the way as `username`: each redirect followed one hop at a time, the authorization server's login
 * form posted with the username and password, its consent form with "Allow" (each form only if it
 * comes: a browser signed in there already goes straight through). Returns the URL the
 * authorization server redirected to outside itself, *not* requested: the code in it is still
 * unused. With `cancel` it presses Cancel on the first page instead; with `stopAtLoginPage` it
 * returns that page's URL.
 */
export async function walkSignIn(send: SendHop, authorizeUrl: string, username: string, options: WalkOptions = {}): Promise<string> {
  const issuer = new URL(authorizeUrl).origin;
  let url = authorizeUrl;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    if (new URL(url).origin !== issuer) return url;
    const interaction = new URL(url).pathname.match(/^\/interaction\/[\w-]+$/)?.[0];
    if (interaction && options.stopAtLoginPage) return url;
    const answer = await send(url);
    if (answer.location) {
      url = new URL(answer.location, url).toString();
      continue;
    }
    const page = await answer.text();
    if (!interaction || answer.status !== 200) {
      throw new Error(`the authorization server answered ${answer.status} at ${url}: ${summarise(page)}`);
    }
    const [path, form] = options.cancel
      ? [`${interaction}/abort`, {}]
      : page.includes('id="password"')
        ? [`${interaction}/login`, { username, password: options.password ?? username }]
        : [`${interaction}/confirm`, {}];
    const posted = await send(`${issuer}${path}`, form);
    if (!posted.location) throw new Error(`signing in as ${username} failed at ${path}: ${posted.status} ${summarise(await posted.text())}`);
    url = new URL(posted.location, url).toString();
  }
  throw new Error(`no redirect back to the client after ${MAX_HOPS} hops`);
}

/** A page's text in one line, without its markup: for an error message. */
export function summarise(text: string): string {
  return text
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}
