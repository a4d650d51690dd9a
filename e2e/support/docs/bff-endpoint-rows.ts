import { expect } from 'vitest';
import { HttpUserAgent, signInOverHttp, walkToCallback } from '../http-sign-in.ts';
import { agentCall, CSRF } from './bff-calls.ts';
import { answerOf, type Answer, type LabAccess } from './lab-client.ts';
import type { RowCheck } from './row-checks.ts';

/**
 * The BFF's endpoint table (docs/architecture.md, "### bff", endpoint | when | answer), row by
 * row, by `<endpoint> | <when>`. The requests go to the app's origin, as the browser sends them.
 */

const app = (lab: LabAccess) => lab.topology.spa.url;

/** Alice, signed in over HTTP, and her session's answers from here on. */
async function signedIn(lab: LabAccess): Promise<HttpUserAgent> {
  return (await signInOverHttp(lab.topology, 'alice')).agent;
}

/** The start of the X-ray's stream, up to its first message; the stream itself never ends. */
async function streamStart(lab: LabAccess, agent: HttpUserAgent): Promise<Answer> {
  const controller = new AbortController();
  const response = await agent.request(`${app(lab)}/bff/xray/stream`, { signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  const decoder = new TextDecoder();
  const deadline = Date.now() + 5_000;
  while (!text.includes('event: view') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  controller.abort();
  return { what: 'GET /bff/xray/stream', status: response.status, headers: response.headers, text, json: undefined };
}

export const BFF_ENDPOINT_ROWS: Readonly<Record<string, RowCheck>> = {
  '`GET /bff/login?returnTo=/path` | a navigation (no `X-CSRF` needed)': {
    provoke: async (lab) => {
      const answer = await agentCall(new HttpUserAgent(app(lab)), 'GET /bff/login?returnTo=/notes', `${app(lab)}/bff/login?returnTo=%2Fnotes`);
      const to = new URL(answer.headers.get('location') ?? '', app(lab));
      expect(`${to.origin}${to.pathname}`, "to the authorization server's /auth").toBe(`${lab.topology.authserver.url}/auth`);
      return [answer];
    },
  },
  '`GET /bff/callback?code&state&iss` | the authorization server sends back a login this browser started': {
    provoke: async (lab) => {
      const agent = new HttpUserAgent(app(lab));
      const callbackUrl = await walkToCallback(agent, 'alice', { returnTo: '/notes' });
      const before = agent.appCookie();
      const answer = await agentCall(agent, 'GET /bff/callback', callbackUrl);
      expect(answer.headers.get('location'), 'to returnTo').toBe('/notes');
      expect(agent.appCookie(), 'a new bff_session').not.toBe(before);
      return [answer];
    },
  },
  '`GET /bff/user` | signed in': {
    provoke: async (lab) => {
      const answer = await agentCall(await signedIn(lab), 'GET /bff/user, signed in', `${app(lab)}/bff/user`, { headers: CSRF });
      expect(answer.text, 'no token').not.toMatch(/eyJ/);
      return [answer];
    },
  },
  '`GET /bff/user` | signed out': {
    provoke: async (lab) => [await agentCall(new HttpUserAgent(app(lab)), 'GET /bff/user, signed out', `${app(lab)}/bff/user`, { headers: CSRF })],
  },
  // Ending a session by time means moving the shared lab's clock by half an hour or more: the BFF's
  // own tests move the clock of a BFF of their own instead (both stores), and the lifetime scenarios
  // run in a lab of their own.
  '`GET /bff/user` | its session ended by itself (unused for `BFF_SESSION_IDLE`, or `BFF_SESSION_TTL` after its sign-in)': {
    coveredBy: [{ file: 'bff/test/routes/session-timeouts.test.ts', test: 'ends a session unused for 30 min: 401 session_expired' }],
  },
  '`ANY /api/*` | its session ended by itself (unused for `BFF_SESSION_IDLE`, or `BFF_SESSION_TTL` after its sign-in)': {
    coveredBy: [
      { file: 'bff/test/routes/session-timeouts.test.ts', test: 'ends it at the idle deadline on the lab clock' },
      { file: 'bff/test/routes/session-timeouts.test.ts', test: 'ends a busy session 8 h after its sign-in' },
    ],
  },
  '`POST /bff/logout` | signed in': {
    provoke: async (lab) => {
      const agent = await signedIn(lab);
      const answer = await agentCall(agent, 'POST /bff/logout, signed in', `${app(lab)}/bff/logout`, { method: 'POST', headers: CSRF });
      expect(
        answer.headers.getSetCookie().filter((line) => /^bff_session=;/.test(line)),
        'the cookie cleared',
      ).toHaveLength(1);
      const after = await agentCall(agent, 'GET /bff/user after the logout', `${app(lab)}/bff/user`, { headers: CSRF });
      expect(after.status, 'the session deleted').toBe(401);
      return [answer];
    },
  },
  '`POST /bff/logout` | signed out': {
    provoke: async (lab) => {
      const answer = await agentCall(new HttpUserAgent(app(lab)), 'POST /bff/logout, signed out', `${app(lab)}/bff/logout`, { method: 'POST', headers: CSRF });
      expect(
        answer.headers.getSetCookie().filter((line) => /^bff_session=;/.test(line)),
        'the cookie cleared',
      ).toHaveLength(1);
      return [answer];
    },
  },
  '`ANY /api/*` | signed in, a route on the allow-list (`GET /api/notes`, `POST /api/notes`)': {
    provoke: async (lab) => {
      const agent = await signedIn(lab);
      const listed = await agentCall(agent, 'GET /api/notes, signed in', `${app(lab)}/api/notes`, { headers: CSRF });
      const added = await agentCall(agent, 'POST /api/notes, signed in', `${app(lab)}/api/notes`, {
        method: 'POST',
        headers: { ...CSRF, 'Content-Type': 'application/json' },
        body: '{"text":"from the docs test"}',
      });
      expect(listed.json, "the resource API's body").toMatchObject({ owner: 'alice', notes: expect.any(Array) });
      expect(added.json, "the resource API's body").toMatchObject({ note: { owner: 'alice', text: 'from the docs test' } });
      return [listed, added];
    },
  },
  '`ANY /api/*` | signed out': {
    provoke: async (lab) => {
      const agent = new HttpUserAgent(app(lab));
      return [
        await agentCall(agent, 'GET /api/notes, signed out', `${app(lab)}/api/notes`, { headers: CSRF }),
        await agentCall(agent, 'POST /api/notes, signed out', `${app(lab)}/api/notes`, {
          method: 'POST',
          headers: { ...CSRF, 'Content-Type': 'application/json' },
          body: '{"text":"x"}',
        }),
      ];
    },
  },
  '`POST /bff/code` | the recommended flow (the default)': {
    provoke: async (lab) => [
      await answerOf(
        'POST /bff/code',
        await fetch(`${app(lab)}/bff/code`, { method: 'POST', headers: { ...CSRF, 'Content-Type': 'application/json' }, body: '{"code":"c"}' }),
      ),
    ],
  },
  '`GET /bff/xray/stream` | lab only': {
    provoke: async (lab) => {
      const answer = await streamStart(lab, new HttpUserAgent(app(lab)));
      expect(answer.text, 'the first message').toMatch(/^retry: \d+\n\nevent: view\n/);
      return [answer];
    },
  },
  '`GET /bff/xray/state` | lab only': {
    provoke: async (lab) => [await agentCall(new HttpUserAgent(app(lab)), 'GET /bff/xray/state', `${app(lab)}/bff/xray/state`, { headers: CSRF })],
  },
  '`POST /bff/xray/view` | lab only, with the control key in `X-Lab-Key`': {
    provoke: async (lab) => [
      await agentCall(new HttpUserAgent(app(lab)), 'POST /bff/xray/view with the key', `${app(lab)}/bff/xray/view`, {
        method: 'POST',
        headers: { ...CSRF, 'X-Lab-Key': lab.controlKey },
      }),
    ],
  },
  '`POST /bff/xray/view` | lab only, without the key': {
    provoke: async (lab) => [
      await agentCall(new HttpUserAgent(app(lab)), 'POST /bff/xray/view without the key', `${app(lab)}/bff/xray/view`, { method: 'POST', headers: CSRF }),
    ],
  },
  "`PUT /bff/xray/clock` | lab only, not the instructor's view": {
    // Only the refusal here: moving this shared lab's time would move every later test's (e2e/lab-clock.test.ts moves a lab of its own).
    provoke: async (lab) => [
      await agentCall(new HttpUserAgent(app(lab)), 'PUT /bff/xray/clock as a learner', `${app(lab)}/bff/xray/clock`, {
        method: 'PUT',
        headers: { ...CSRF, 'Content-Type': 'application/json' },
        body: JSON.stringify({ advanceSeconds: 60 }),
      }),
    ],
  },
  '`DELETE /bff/xray/view` | lab only': {
    provoke: async (lab) => [
      await agentCall(new HttpUserAgent(app(lab)), 'DELETE /bff/xray/view', `${app(lab)}/bff/xray/view`, { method: 'DELETE', headers: CSRF }),
    ],
  },
};
