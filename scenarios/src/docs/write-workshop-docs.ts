import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderAnswerKey, renderWorksheet } from '../exercises/workshop-docs.ts';

// `npm run docs:workshop`: docs/workshop/worksheet.md and answer-key.md, from the exercise definitions.
const dir = path.resolve(import.meta.dirname, '..', '..', '..', 'docs', 'workshop');
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'worksheet.md'), renderWorksheet());
writeFileSync(path.join(dir, 'answer-key.md'), renderAnswerKey());
console.log(`Wrote ${path.join(dir, 'worksheet.md')} and answer-key.md`);
