/**
 * The names of the attacker's XSS payloads. The attacker serves each one at
 * `/payloads/<name>.js`; the SPA's lab-only XSS hook loads the one switched on into the app's page.
 * Named here so that both agree without importing each other.
 */
export const XSS_PAYLOAD_NAMES = ['steal-storage', 'silent-authorize', 'proxy-calls', 'persistent-theft'] as const;
export type XssPayloadName = (typeof XSS_PAYLOAD_NAMES)[number];

export function isXssPayloadName(value: unknown): value is XssPayloadName {
  return typeof value === 'string' && (XSS_PAYLOAD_NAMES as readonly string[]).includes(value);
}
