export { CLOCKED, moveLabTime, readLabClocks, type ServiceClock } from '@lab/wing';

/** `+301`, `+90s`, `+5m`, `+8h`, `+2d` as seconds; undefined for anything else. */
export function parseTimeJump(text: string): number | undefined {
  const match = /^\+(\d{1,9})(s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** `5 min 1 s`, `8 h 20 min`: how far the lab's time is ahead, for people. */
export function describeOffset(seconds: number): string {
  if (seconds === 0) return 'none: the lab runs on real time';
  const parts: string[] = [];
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days) parts.push(`${days} d`);
  if (hours) parts.push(`${hours} h`);
  if (minutes) parts.push(`${minutes} min`);
  if (rest) parts.push(`${rest} s`);
  return parts.join(' ');
}
