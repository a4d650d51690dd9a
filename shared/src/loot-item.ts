/** One thing that reached the attacker: what a payload sent, a Referer a pixel saw, a landing. */
export interface LootItem {
  readonly id: string;
  readonly time: string;
  /** How it arrived: `collect` (a script sent it), `pixel` (an image request's Referer), `landing` (a redirect). */
  readonly channel: 'collect' | 'pixel' | 'landing';
  /** The payload's or page's label, e.g. `steal-storage`. */
  readonly label: string;
  readonly data: unknown;
  readonly referer?: string;
}
