/**
 * Writes the workflows' transition tables into DESIGN.md, each between its markers
 * (`<!-- transitions -->` for the authorization, `<!-- ship-transitions -->` for shipping), from
 * the tables in the code. The workflows' tests fail until it is run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TRANSITIONS } from '../cloudfunctions/authorization/src/authorizations/transitionTable';
import { SHIP_TRANSITIONS } from '../cloudfunctions/authorization/src/shipping/transitionTable';
import { renderTransitionTable } from '../cloudfunctions/authorization/src/workflow/transitionTable';

const TABLES = { transitions: TRANSITIONS, 'ship-transitions': SHIP_TRANSITIONS };

const file = path.join(__dirname, '..', 'DESIGN.md');
let design = readFileSync(file, 'utf8');
for (const [marker, rows] of Object.entries(TABLES)) {
  const block = new RegExp(`<!-- ${marker} -->\\n[\\s\\S]*?\\n<!-- /${marker} -->`);
  if (!block.test(design)) throw new Error(`DESIGN.md has no <!-- ${marker} --> block`);
  design = design.replace(block, () => `<!-- ${marker} -->\n${renderTransitionTable(rows)}\n<!-- /${marker} -->`);
}
writeFileSync(file, design);
console.log(`DESIGN.md: ${Object.keys(TABLES).length} transition tables written`);
