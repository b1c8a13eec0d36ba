import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The table DESIGN.md shows between `<!-- marker -->` and `<!-- /marker -->` (undefined: none). */
export function designTable(marker: string): string | undefined {
  const design = readFileSync(path.join(__dirname, '../../DESIGN.md'), 'utf8');
  return new RegExp(`<!-- ${marker} -->\\n([\\s\\S]*?)\\n<!-- /${marker} -->`).exec(design)?.[1];
}
