// A rendered mini-program page as a stand-alone HTML document: the DOM miniprogram-simulate
// built (with Vant), built-in tags turned into what the browser can show, and the scoped WXSS.
import type { LoadedPage } from '../harness';
import { appWxss, SCREEN_WIDTH_PX, WECHAT_BASE_CSS } from './wxss';

/** The jsdom surface this module reads (the Node tsconfig has no "dom" lib). */
interface Node {
  readonly nodeType: number;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<Node>;
}
interface Element extends Node {
  readonly tagName: string;
  readonly attributes: ArrayLike<{ name: string; value: string }>;
  readonly __wxElement?: Exparser;
}
/** The exparser node behind a DOM element: its template attributes, listeners and owner. */
interface Exparser {
  readonly _vt?: { attrs?: { name: string; value: unknown }[] };
  readonly __wxEvents?: Record<string, unknown>;
  readonly ownerShadowRoot?: { __wxHost?: Exparser } | null;
}
interface Head {
  querySelectorAll(selector: string): ArrayLike<Element & { remove(): void }>;
}

/** jsdom's <head>, where simulate puts each rendered page's style sheet. */
const documentHead = (): Head => (globalThis as unknown as { document: { head: Head } }).document.head;

const TEXT_NODE = 3;
const ELEMENT_NODE = 1;
/** WeChat image modes as CSS object-fit. */
const IMAGE_FIT: Record<string, string> = { aspectFill: 'cover', aspectFit: 'contain', scaleToFill: 'fill', widthFix: 'cover' };

const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (text: string) => escapeText(text).replace(/"/g, '&quot;');

function templateAttr(element: Element, name: string): string | undefined {
  const value = element.__wxElement?._vt?.attrs?.find((attr) => attr.name === name)?.value;
  if (typeof value === 'string' || typeof value === 'number' || value === true) return String(value);
  return undefined;
}

/**
 * A tap target is what the page listens to: a built-in tag with bindtap in the page's template,
 * or a component the page binds `click`/`tap` on (Vant button, cell, icon...).
 */
function isPageTapTarget(element: Element, pageHost: Exparser): boolean {
  const node = element.__wxElement;
  if (!node?.__wxEvents || node.ownerShadowRoot?.__wxHost !== pageHost) return false;
  return Boolean(node.__wxEvents.tap ?? node.__wxEvents.click);
}

function attributesOf(element: Element, extra: Record<string, string | undefined>): string {
  const attrs: Record<string, string | undefined> = {};
  for (const { name, value } of Array.from(element.attributes)) {
    if (name === 'class' || name === 'style' || name === 'id' || name.startsWith('data-')) attrs[name] = value;
  }
  Object.assign(attrs, extra);
  return Object.entries(attrs)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeAttr(value)}"`)
    .join('');
}

function serialize(node: Node, pageHost: Exparser, markFirst: { pending: boolean }): string {
  if (node.nodeType === TEXT_NODE) return escapeText(node.textContent ?? '');
  if (node.nodeType !== ELEMENT_NODE) return '';
  const element = node as Element;
  const tag = element.tagName.toLowerCase();
  // A component's host element is only a wrapper: the tap lands on the first element it renders.
  const tappable = isPageTapTarget(element, pageHost);
  const isHost = tag.includes('-') && !tag.startsWith('wx-');
  const marked = (tappable && !isHost) || markFirst.pending;
  markFirst.pending = false;
  const marks: Record<string, string> = marked ? { 'data-tap': '' } : {};
  const childMark = { pending: tappable && isHost };
  const children = () =>
    Array.from(element.childNodes)
      .map((child) => serialize(child, pageHost, childMark))
      .join('');
  return renderElement(element, tag, marks, children);
}

/** A built-in tag as the HTML element that shows it; any other element as it is. */
function renderElement(element: Element, tag: string, marks: Record<string, string>, children: () => string): string {
  switch (tag) {
    case 'wx-image': {
      const fit = IMAGE_FIT[templateAttr(element, 'mode') ?? 'scaleToFill'] ?? 'fill';
      const style = Array.from(element.attributes).find((attr) => attr.name === 'style')?.value ?? '';
      return `<img${attributesOf(element, { ...marks, src: templateAttr(element, 'src'), alt: '', style: `object-fit:${fit};${style}` })}>`;
    }
    case 'wx-input':
      return `<input${attributesOf(element, {
        ...marks,
        value: templateAttr(element, 'value'),
        placeholder: templateAttr(element, 'placeholder'),
        disabled: templateAttr(element, 'disabled') === 'true' ? '' : undefined,
      })}>`;
    case 'wx-button':
      return `<button${attributesOf(element, marks)}>${children()}</button>`;
    default:
      return `<${tag}${attributesOf(element, marks)}>${children()}</${tag}>`;
  }
}

/** The style sheets simulate put in <head> for the pages loaded since `clearStyles`. */
function simulateStyles(): string {
  return Array.from(documentHead().querySelectorAll('style'))
    .map((style) => style.textContent ?? '')
    .join('\n');
}

/** Call before loading a page, so that its document gets only its own (and its components') styles. */
export function clearStyles(): void {
  for (const style of Array.from(documentHead().querySelectorAll('style'))) style.remove();
}

/**
 * WeChat draws wx.showModal and wx.showToast itself, over the page; simulate draws neither. The last
 * of them the page called is drawn here as WeChat shows it (a modal's title, text and buttons; a
 * toast's text, with a check for `success`), so the picture shows what the merchant sees.
 */
function wxOverlay(page: LoadedPage): string {
  const last = [...page.wxCalls].reverse().find((call) => call.api === 'showModal' || call.api === 'showToast');
  if (!last) return '';
  const options = (last.args[0] ?? {}) as Record<string, unknown>;
  const text = (key: string) => escapeText(typeof options[key] === 'string' ? options[key] : '');
  if (last.api === 'showToast') {
    const icon = options.icon === 'none' ? '' : '<div class="wx-toast__icon">✓</div>';
    return `<div class="wx-toast${icon ? '' : ' wx-toast--text'}" id="wx-toast">${icon}<div>${text('title')}</div></div>`;
  }
  const cancel =
    options.showCancel === false ? '' : `<div class="wx-modal__button" data-tap>${text('cancelText') || '取消'}</div>`;
  return `<div class="wx-mask"></div><div class="wx-modal" id="wx-modal">
<div class="wx-modal__title">${text('title')}</div><div class="wx-modal__content">${text('content')}</div>
<div class="wx-modal__buttons">${cancel}<div class="wx-modal__button wx-modal__button--primary" data-tap>${text('confirmText') || '确定'}</div></div></div>`;
}

/** The mask covers the whole (full-page) picture; modal and toast sit mid-screen, where WeChat puts them. */
const OVERLAY_CSS = `
html{position:relative;min-height:100%}
.wx-mask{position:absolute;inset:0;background:rgba(0,0,0,.6)}
.wx-modal,.wx-toast{font-family:"PingFang SC","Noto Sans SC",sans-serif}
.wx-modal{position:fixed;left:50%;top:50%;transform:translate(-50%,-50%);width:320px;background:#fff;border-radius:12px;text-align:center;overflow:hidden}
.wx-modal__title{padding:32px 24px 8px;font-size:17px;font-weight:600}
.wx-modal__content{padding:0 24px 32px;font-size:15px;line-height:1.5;color:#808080}
.wx-modal__buttons{display:flex;border-top:1px solid #eee}
.wx-modal__button{flex:1;line-height:56px;font-size:17px;font-weight:600;color:#000}
.wx-modal__button+.wx-modal__button{border-left:1px solid #eee}
.wx-modal__button--primary{color:#576b95}
.wx-toast{position:fixed;left:50%;top:45%;transform:translate(-50%,-50%);min-width:120px;max-width:240px;padding:20px 16px;box-sizing:border-box;border-radius:8px;background:rgba(17,17,17,.7);color:#fff;font-size:15px;text-align:center}
.wx-toast--text{padding:12px 16px}
.wx-toast__icon{font-size:40px;line-height:48px;margin-bottom:4px}
`;

/** The page as it stands now, as an HTML document 375 px wide. */
export function pageDocument(page: LoadedPage, title: string): string {
  const root = page.dom as unknown as Element;
  const pageHost = root.__wxElement;
  if (!pageHost) throw new Error('not a simulate page: no exparser node behind its DOM');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=${SCREEN_WIDTH_PX}">
<title>${escapeText(title)}</title>
<style>${WECHAT_BASE_CSS}</style>
<style>${appWxss()}</style>
<style>${simulateStyles()}</style>
<style>${OVERLAY_CSS}</style>
</head><body>${serialize(root, pageHost, { pending: false })}${wxOverlay(page)}</body></html>
`;
}
