import fc from 'fast-check';
import type { LabTopology } from '@lab/shared';
import { CATEGORIES, type Category, type HostileCase } from './hostile-case.ts';
import { credentialCases } from './generators/credentials.ts';
import { framingCases } from './generators/framing.ts';
import { jsonCases } from './generators/json.ts';
import { methodCases } from './generators/methods.ts';
import { oversizeCases } from './generators/oversize.ts';
import { pathCases } from './generators/paths.ts';
import { percentEncodingCases } from './generators/percent-encoding.ts';
import { returnToCases } from './generators/return-to.ts';
import { websocketCases } from './generators/websocket.ts';
import { pinnedCases } from './pinned-cases.ts';

const GENERATORS: Readonly<Record<Category, (topology: LabTopology) => fc.Arbitrary<HostileCase>>> = {
  'percent-encoding': percentEncodingCases,
  paths: pathCases,
  methods: methodCases,
  json: jsonCases,
  oversize: oversizeCases,
  credentials: credentialCases,
  websocket: websocketCases,
  framing: framingCases,
  'return-to': returnToCases,
};

/** How many of `runs` requests each category gets, by weight; the counts add up to `runs`. */
export function countsPerCategory(runs: number): Map<Category, number> {
  const total = CATEGORIES.reduce((sum, { weight }) => sum + weight, 0);
  const counts = new Map(CATEGORIES.map(({ category, weight }) => [category, Math.floor((runs * weight) / total)]));
  let left = runs - [...counts.values()].reduce((sum, count) => sum + count, 0);
  for (const { category } of CATEGORIES) {
    if (left <= 0) break;
    counts.set(category, counts.get(category)! + 1);
    left -= 1;
  }
  return counts;
}

/**
 * The run's cases, per category: the pinned ones (the reproductions) first, then as many
 * drawn by fast-check from `seed` as the category's share asks for. One seed always gives the
 * same requests: a failure reproduces with the same `LAB_HOSTILE_SEED` and `LAB_HOSTILE_RUNS`.
 */
export function generateCases(options: { runs: number; seed: number; topology: LabTopology }): Map<Category, HostileCase[]> {
  const cases = new Map<Category, HostileCase[]>();
  const pinned = pinnedCases(options.topology);
  for (const [index, [category, count]] of [...countsPerCategory(options.runs)].entries()) {
    const own = pinned.get(category) ?? [];
    const drawn = Math.max(0, count - own.length);
    const arbitrary = GENERATORS[category](options.topology);
    cases.set(category, [...own, ...(drawn === 0 ? [] : fc.sample(arbitrary, { seed: options.seed + index, numRuns: drawn }))]);
  }
  return cases;
}
