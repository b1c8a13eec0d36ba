/**
 * Writes the authorization state machine's transition table into DESIGN.md (between the
 * `<!-- transitions -->` markers), from `authorizations/transitionTable.ts`. A test fails until it is run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderTransitionTable } from '../cloudfunctions/authorization/src/authorizations/transitionTable';

const file = path.join(__dirname, '..', 'DESIGN.md');
const design = readFileSync(file, 'utf8');
const block = /<!-- transitions -->\n[\s\S]*?\n<!-- \/transitions -->/;
if (!block.test(design)) throw new Error('DESIGN.md has no <!-- transitions --> block');
writeFileSync(file, design.replace(block, `<!-- transitions -->\n${renderTransitionTable()}\n<!-- /transitions -->`));
console.log('DESIGN.md: transition table written');
