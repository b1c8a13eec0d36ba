/**
 * The emulator's layers (emulator/open-platform/README.md, "Layers"): state/ imports only state/,
 * shared/ only state/ and shared/, each areas/<name>/ only state/, shared/ and its own folder;
 * the top (pushes, flows, pages, admin, wiring) may import anything. A new product area that
 * reached into a sibling or upwards fails here, before it ties the emulator into a circle again.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../../emulator/open-platform');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `state`, `shared`, `areas/<name>`, or `top`. */
function layerOf(file: string): string {
  const [first, second] = path.relative(ROOT, file).split(path.sep);
  if (first === 'state' || first === 'shared') return first;
  if (first === 'areas') return `areas/${second}`;
  return 'top';
}

const MAY_IMPORT: Record<string, (target: string, own: string) => boolean> = {
  state: (target) => target === 'state',
  shared: (target) => target === 'state' || target === 'shared',
  area: (target, own) => target === 'state' || target === 'shared' || target === own,
  top: () => true,
};

function rule(layer: string): (target: string, own: string) => boolean {
  return layer.startsWith('areas/') ? MAY_IMPORT.area : MAY_IMPORT[layer];
}

describe('open-platform emulator layers', () => {
  it('imports only downwards (or within its own folder)', () => {
    const offences: string[] = [];
    for (const file of sourceFiles(ROOT)) {
      const own = layerOf(file);
      const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
      for (const { fileName } of importedFiles) {
        if (!fileName.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), fileName);
        if (!target.startsWith(ROOT + path.sep)) continue; // the clock, the listener: outside the emulator
        const targetLayer = layerOf(target);
        if (!rule(own)(targetLayer, own)) offences.push(`${path.relative(ROOT, file)} → ${fileName} (${own} → ${targetLayer})`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('has no area the server does not plug in', () => {
    const server = fs.readFileSync(path.join(ROOT, 'server.ts'), 'utf8');
    const areas = fs.readdirSync(path.join(ROOT, 'areas'));
    expect(areas.filter((name) => !server.includes(`'./areas/${name}'`))).toEqual([]);
  });
});
