/**
 * The demo users of the authorization server. Password = username: this is a lab.
 * `sub` is what the tokens carry; the resource API keys its notes by it.
 */
export interface DemoUser {
  readonly sub: string;
  readonly username: string;
  readonly password: string;
  readonly name: string;
  readonly email: string;
  /** The part this user plays in the scenarios. */
  readonly part: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { sub: 'alice', username: 'alice', password: 'alice', name: 'Alice Adams', email: 'alice@example.test', part: 'the Resource Owner, usually the victim' },
  { sub: 'bob', username: 'bob', password: 'bob', name: 'Bob Brown', email: 'bob@example.test', part: 'a second user, for isolation checks' },
  {
    sub: 'mallory',
    username: 'mallory',
    password: 'mallory',
    name: 'Mallory Moss',
    email: 'mallory@example.test',
    part: 'the attacker, who has an account of her own',
  },
];

export function findDemoUser(sub: string): DemoUser | undefined {
  return DEMO_USERS.find((user) => user.sub === sub);
}
