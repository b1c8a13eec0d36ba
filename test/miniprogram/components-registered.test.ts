// Every component tag a page's (or our component's) WXML uses (its own and imported templates) is registered in the
// page's usingComponents: WeChat renders an unregistered tag as nothing, silently.
import fs from 'node:fs';
import path from 'node:path';
import { MINIPROGRAM_ROOT } from './harness';

/** Custom tags (with a dash) in a WXML file and in the files it imports or includes. */
function componentTags(file: string, seen = new Set<string>()): Set<string> {
  const tags = new Set<string>();
  if (seen.has(file)) return tags;
  seen.add(file);
  const wxml = fs.readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  for (const [, tag] of wxml.matchAll(/<([a-z][a-z0-9]*-[a-z0-9-]+)[\s/>]/g)) tags.add(tag);
  for (const [, src] of wxml.matchAll(/<(?:import|include)\s+src="([^"]+)"/g)) {
    for (const tag of componentTags(path.resolve(path.dirname(file), src), seen)) tags.add(tag);
  }
  return tags;
}

const units = ['pages', 'components'].flatMap((dir) =>
  fs
    .readdirSync(path.join(MINIPROGRAM_ROOT, dir))
    .map((name) => `${dir}/${name}`)
    .filter((unit) => fs.existsSync(path.join(MINIPROGRAM_ROOT, unit, 'index.wxml'))),
);

test.each(units)('%s registers every component its WXML uses', (unit) => {
  const json = JSON.parse(fs.readFileSync(path.join(MINIPROGRAM_ROOT, unit, 'index.json'), 'utf8')) as {
    usingComponents?: Record<string, string>;
  };
  const registered = new Set(Object.keys(json.usingComponents ?? {}));
  const used = [...componentTags(path.join(MINIPROGRAM_ROOT, unit, 'index.wxml'))];
  expect(used.filter((tag) => !registered.has(tag))).toEqual([]);
});
