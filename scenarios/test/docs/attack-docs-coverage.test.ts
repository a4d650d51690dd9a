import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWeakenedRun } from '../../src/engine/define-attack.ts';
import { SCENARIOS } from '../../src/registry.ts';

const DOCS = path.resolve(import.meta.dirname, '..', '..', '..', 'docs');
const attacks = SCENARIOS.filter((scenario) => scenario.kind === 'attack');

/**
 * The generated attack docs must cover every attack `--list` shows: an attack family missing from
 * them (as four were, when their runs as built also switched a defence off) fails here, not in a
 * workshop. Run `npm run docs:scenarios` to rewrite them.
 */
describe('docs/attacks.md and docs/scenarios.md name every attack', () => {
  const attacksDoc = readFileSync(path.join(DOCS, 'attacks.md'), 'utf8');
  const scenariosDoc = readFileSync(path.join(DOCS, 'scenarios.md'), 'utf8');

  it.each(attacks.filter((scenario) => !isWeakenedRun(scenario)).map((scenario) => scenario.id))(
    '%s has its section and its row in the defence table',
    (id) => {
      expect(attacksDoc).toContain(`(\`${id}\`)`);
      expect(attacksDoc).toMatch(new RegExp(`^\\| \`${id}\` \\|`, 'm'));
      expect(scenariosDoc).toContain(`\`${id}\``);
    },
  );

  it.each(attacks.filter(isWeakenedRun).map((scenario) => scenario.id))('%s (the weakened twin) is named too', (id) => {
    expect(attacksDoc).toContain(`\`${id}\``);
  });
});
