/**
 * The Deploy guide tells the provider which collections and indexes to create in the console.
 * It must name exactly what the function creates and queries: a missing collection fails with
 * -502005, a missing index makes a list slow at scale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { COLLECTIONS } from '../../../cloudfunctions/authorization/src/store';
import { COLLECTION_INDEXES, indexTableMarkdown } from '../../../cloudfunctions/authorization/src/setup/collections';

const readme = fs.readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');

test('the Deploy guide holds the generated table of collections and indexes', () => {
  const unindented = readme.replace(/^ {3}(?=\|)/gm, '');
  expect(unindented).toContain(indexTableMarkdown());
});

test('setup covers every collection the function uses, each index names fields once', () => {
  expect(Object.keys(COLLECTION_INDEXES).sort()).toEqual(Object.values(COLLECTIONS).sort());
  for (const specs of Object.values(COLLECTION_INDEXES)) {
    for (const spec of specs) expect(new Set(spec).size).toBe(spec.length);
  }
});
