import { describe, expect, it } from 'vitest';
import { LinkGroups } from '../../src/xray/link-groups.ts';

describe('LinkGroups', () => {
  it('puts events that share a key, directly or through others, in one group', () => {
    const groups = new LinkGroups();
    groups.add('login', ['session-a', 'state-1']);
    groups.add('authorize', ['state-1', 'uid-1']);
    groups.add('other user', ['session-b']);
    expect(groups.groupOf('login')).toBe(groups.groupOf('authorize'));
    expect(groups.groupOf('other user')).not.toBe(groups.groupOf('login'));
    expect([...groups.membersOf(groups.find('uid-1'))].sort()).toEqual(['authorize', 'login']);
  });

  it('tells which groups an event joined, with their events as they were', () => {
    const groups = new LinkGroups();
    groups.add('redirect', ['uid-1', 'code-1']);
    groups.add('session', ['session-b']);
    const joined = groups.add('callback', ['code-1', 'session-a', 'session-b']);
    expect(joined.map(({ events }) => [...events].sort()).sort()).toEqual([[], ['redirect'], ['session']]);
    expect([...groups.membersOf(groups.find('session-a'))].sort()).toEqual(['callback', 'redirect', 'session']);
    expect(groups.add('alone', ['session-b'])).toEqual([]);
  });

  it('leaves an event without keys in no group, and forgets removed events', () => {
    const groups = new LinkGroups();
    groups.add('anonymous', []);
    expect(groups.groupOf('anonymous')).toBeUndefined();
    groups.add('a', ['k']);
    groups.remove('a');
    expect(groups.groupOf('a')).toBeUndefined();
    expect([...groups.membersOf(groups.find('k'))]).toEqual([]);
  });

  it('stays fast for long chains', () => {
    const groups = new LinkGroups();
    for (let index = 0; index < 20_000; index++) groups.add(`e${index}`, [`k${index}`, `k${index + 1}`]);
    expect(groups.groupOf('e0')).toBe(groups.groupOf('e19999'));
    expect(groups.membersOf(groups.find('k0')).size).toBe(20_000);
  });
});
