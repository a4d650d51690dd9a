import type { Account, FindAccount } from 'oidc-provider';
import { DEMO_USERS, findDemoUser, type DemoUser } from '@lab/shared';

/** Checks a username and password against the demo users. A lab: the passwords are the usernames. */
export function authenticateDemoUser(username: string, password: string): DemoUser | undefined {
  return DEMO_USERS.find((user) => user.username === username && user.password === password);
}

/**
 * oidc-provider's account lookup: turns a `sub` into the claims the granted scopes allow
 * (OpenID Connect Core §5.4: `profile` → name, preferred_username; `email` → email).
 */
export const findAccount: FindAccount = (_ctx, sub): Account | undefined => {
  const user = findDemoUser(sub);
  if (!user) return undefined;
  return {
    accountId: user.sub,
    claims: () => ({
      sub: user.sub,
      name: user.name,
      preferred_username: user.username,
      email: user.email,
      email_verified: true,
    }),
  };
};
