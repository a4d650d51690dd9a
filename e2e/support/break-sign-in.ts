import type { Scenario, ScenarioContext } from '@lab/scenarios';

/** The authorization server's login form posts here (authserver/src/routes/interactions.ts). */
const LOGIN_PATH = /^\/interaction\/[^/]+\/login$/;

/**
 * The same scenario with every sign-in broken on purpose: the password of each login form sent to
 * the authorization server, by a browser or by a scripted client, is replaced with a wrong one, so
 * it answers 401 "Wrong username or password." For the test that proves a weakened attack run
 * cannot pass its check for the wrong reason.
 */
export function breakSignIn(scenario: Scenario): Scenario {
  return {
    ...scenario,
    id: `${scenario.id}+broken-sign-in`,
    title: `${scenario.title} (its sign-in broken on purpose)`,
    run: (context) => scenario.run(withBrokenSignIn(context)),
  };
}

function withBrokenSignIn(context: ScenarioContext): ScenarioContext {
  const issuer = context.topology.authserver.url;
  const isLogin = (url: URL) => url.origin === issuer && LOGIN_PATH.test(url.pathname);
  return {
    ...context,
    async newUserAgent() {
      const agent = await context.newUserAgent();
      await agent.route(isLogin, (route) => route.continue({ postData: withWrongPassword(route.request().postData() ?? '') }));
      return agent;
    },
    fetchAs(as, url, init = {}) {
      const broken = isLogin(new URL(url)) && init.body instanceof URLSearchParams ? { ...init, body: withWrongPassword(init.body.toString()) } : init;
      return context.fetchAs(as, url, broken);
    },
  };
}

function withWrongPassword(form: string): string {
  const fields = new URLSearchParams(form);
  fields.set('password', 'not-the-password');
  return fields.toString();
}
