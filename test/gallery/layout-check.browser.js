// Runs inside the page (page.evaluate): what a person would notice on a 375 px phone screen.
// Returns [{ kind, where, detail }]; an empty list means the page passed.
/* global document, getComputedStyle, NodeFilter */
(() => {
  const problems = [];
  const viewport = document.documentElement.clientWidth;
  const TOLERANCE = 1;
  const MIN_TARGET = 44;

  const where = (el) => {
    const id = el.id ? `#${el.id}` : '';
    const classes = Array.from(el.classList)
      .slice(0, 2)
      .map((c) => `.${c}`)
      .join('');
    const text = (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 24);
    return `${el.tagName.toLowerCase()}${id}${classes}${text ? ` "${text}"` : ''}`;
  };
  const shown = (el) => {
    const rect = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && Number(style.opacity) > 0;
  };
  const clips = (el) => {
    const style = getComputedStyle(el);
    return style.overflowX !== 'visible' || style.overflowY !== 'visible';
  };
  /** The area an element shows its content in (inside its borders). */
  const contentBox = (el) => {
    const rect = el.getBoundingClientRect();
    const left = rect.left + el.clientLeft;
    const top = rect.top + el.clientTop;
    return { left, top, right: left + el.clientWidth, bottom: top + el.clientHeight };
  };
  const outside = (rect, box) =>
    rect.left < box.left - TOLERANCE ||
    rect.right > box.right + TOLERANCE ||
    rect.top < box.top - TOLERANCE ||
    rect.bottom > box.bottom + TOLERANCE;
  /**
   * A line's glyphs: its full width, and one em around its middle (a range's height is the
   * font's content area, taller than the line box when line-height is tight, yet not clipped).
   */
  const glyphs = (line, fontSize) => {
    const middle = (line.top + line.bottom) / 2;
    return { left: line.left, right: line.right, top: middle - fontSize / 2, bottom: middle + fontSize / 2 };
  };

  // Horizontal overflow: the page scrolls sideways, or something reaches past the screen's edge.
  if (document.documentElement.scrollWidth > viewport + TOLERANCE) {
    problems.push({
      kind: 'overflow',
      where: 'page',
      detail: `${document.documentElement.scrollWidth}px wide on a ${viewport}px screen`,
    });
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.right <= viewport + TOLERANCE && rect.left >= -TOLERANCE) continue;
    let clipped = false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (clips(a)) clipped = true;
    if (!clipped)
      problems.push({
        kind: 'overflow',
        where: where(el),
        detail: `spans ${Math.round(rect.left)}..${Math.round(rect.right)}px`,
      });
  }

  // Text clipped: a line of text that leaves its element's box or any clipping ancestor's.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.textContent.trim() || !shown(parent)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const fontSize = parseFloat(getComputedStyle(parent).fontSize);
    const lines = Array.from(range.getClientRects())
      .filter((r) => r.width > 0)
      .map((line) => glyphs(line, fontSize));
    const boxes = [parent.getBoundingClientRect()];
    for (let a = parent; a && a !== document.body; a = a.parentElement) if (clips(a)) boxes.push(contentBox(a));
    if (lines.some((line) => boxes.some((box) => outside(line, box)))) {
      problems.push({ kind: 'text-clipped', where: where(parent), detail: `"${node.textContent.trim().slice(0, 40)}"` });
    }
  }
  for (const input of document.querySelectorAll('input')) {
    if (shown(input) && input.scrollWidth > input.clientWidth + TOLERANCE) {
      problems.push({ kind: 'text-clipped', where: where(input), detail: 'its value is wider than the field' });
    }
  }

  // Broken images and fonts that failed to load (icons then show as nothing).
  for (const img of document.images) {
    if (shown(img) && (!img.complete || img.naturalWidth === 0))
      problems.push({ kind: 'broken-image', where: where(img), detail: img.src.slice(0, 80) });
  }
  for (const face of document.fonts) {
    if (face.status === 'error') problems.push({ kind: 'broken-font', where: face.family, detail: 'failed to load' });
  }

  // Touch targets: the outermost tappable element must be at least 44 × 44 px.
  const TAPPABLE =
    '[data-tap], a[href], button, input[type=checkbox], input[type=radio], input[type=submit], label, select, [onclick]';
  for (const el of document.querySelectorAll(TAPPABLE)) {
    if (!shown(el) || (el.parentElement && el.parentElement.closest(TAPPABLE))) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < MIN_TARGET - 0.5 || rect.height < MIN_TARGET - 0.5) {
      problems.push({
        kind: 'small-target',
        where: where(el),
        detail: `${Math.round(rect.width)} × ${Math.round(rect.height)} px`,
      });
    }
  }
  return problems;
})();
