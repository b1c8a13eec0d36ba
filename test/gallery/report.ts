// The gallery's index page and the shape of its report.

export interface MiniManifestEntry {
  name: string;
  title: string;
  /** The HTML document's file name in <out>/html. */
  file: string;
}

export interface LayoutProblem {
  kind: 'overflow' | 'text-clipped' | 'broken-image' | 'broken-font' | 'small-target';
  where: string;
  detail: string;
}

export interface Shot {
  name: string;
  title: string;
  group: 'mini-program' | 'web';
  height: number;
  problems: LayoutProblem[];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function figure(shot: Shot): string {
  const problems = shot.problems.length
    ? `<ul class="problems">${shot.problems.map((p) => `<li>${escapeHtml(`${p.kind}: ${p.where} — ${p.detail}`)}</li>`).join('')}</ul>`
    : '';
  return `<figure id="${escapeHtml(shot.name)}"><a href="${escapeHtml(shot.name)}.png"><img src="${escapeHtml(shot.name)}.png" width="375" alt="${escapeHtml(shot.title)}" loading="lazy"></a>
<figcaption>${escapeHtml(shot.title)}<br><code>${escapeHtml(shot.name)}</code></figcaption>${problems}</figure>`;
}

export function galleryIndex(shots: Shot[]): string {
  const section = (group: Shot['group'], heading: string) =>
    `<h2>${heading}</h2><div class="grid">${shots
      .filter((s) => s.group === group)
      .map(figure)
      .join('\n')}</div>`;
  const failing = shots.filter((s) => s.problems.length).length;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Gallery: every page</title>
<style>body{margin:24px;font:14px/1.5 system-ui,"Noto Sans SC",sans-serif;background:#eceef1;color:#1f2329}
.grid{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}figure{margin:0;width:375px}
figure img{display:block;border:1px solid #d0d3d9;background:#fff}figcaption{padding:6px 2px}
.problems{color:#c62828;font-size:12px;padding-left:18px}</style></head>
<body><h1>Every page, 375 px wide</h1>
<p>${shots.length} pictures; layout problems on ${failing}. Rendered by <code>npm run gallery</code>.</p>
${section('mini-program', 'Mini-program (miniprogram-simulate + Vant)')}
${section('web', 'Web pages (the function and the emulated WeChat pages)')}
</body></html>
`;
}
