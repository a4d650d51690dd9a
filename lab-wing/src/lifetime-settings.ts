import { HttpError } from '@lab/kit';
import type { ExtraSettings } from './lab-control.ts';

/**
 * LAB ONLY: lifetimes a service reports in `GET /_lab/settings` but that are fixed for the run
 * (set from the environment at start), so that scenarios and people read them from the lab instead
 * of guessing. `PUT /_lab/settings` accepts one only unchanged (a run restores the settings it read),
 * and answers 400 `invalid_setting`, naming how to change it, for any other value.
 */
export function reportFixedLifetimes(lifetimes: Readonly<Record<string, { readonly seconds: number; readonly setBy: string }>>): ExtraSettings {
  return {
    read: () => Object.fromEntries(Object.entries(lifetimes).map(([name, { seconds }]) => [name, seconds])),
    apply: (patch) => {
      for (const [name, { seconds, setBy }] of Object.entries(lifetimes)) {
        if (patch[name] !== undefined && patch[name] !== seconds) {
          throw new HttpError(400, 'invalid_setting', `${name} is fixed for this run (${seconds}); it is set at start by ${setBy}.`);
        }
      }
    },
  };
}

/** Several services' extra settings as one: `apply` runs each in order, so the ones that can only refuse come first. */
export function combineSettings(...parts: readonly ExtraSettings[]): ExtraSettings {
  return {
    read: () => Object.assign({}, ...parts.map((part) => part.read())),
    apply: (patch) => {
      for (const part of parts) part.apply(patch);
    },
  };
}
