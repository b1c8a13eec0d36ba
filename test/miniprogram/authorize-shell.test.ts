// Proves the UI toolchain: the TypeScript page renders under simulate with real Vant
// components (from miniprogram_npm), and taps flow through Vant's events to the page.
import { loadPage, tap, unloadAllPages, type LoadedPage, type SimNode } from './harness';

const PAGE = 'pages/authorize/index';

// Exparser selectors match ids and classes, not custom-component tag names.

/** Class list of a node's rendered element (simulate prefixes classes with the tag: "van-button--..."). */
function renderedClasses(node: SimNode | undefined): string[] {
  return Array.from(node?.dom?.classList ?? []);
}

function authorizeButton(page: LoadedPage): SimNode | undefined {
  return page.root.querySelector('#authorize')?.querySelector('.van-button');
}

function typeRow(page: LoadedPage, authType: number): SimNode | undefined {
  return page.root.querySelector(`#type-${authType}`)?.querySelector('.van-cell');
}

afterEach(unloadAllPages);

test('renders Vant cells and a Vant primary button inside the page', async () => {
  const page = await loadPage(PAGE);

  expect(page.dom.textContent).toContain('选择要授权的账号类型');
  const button = authorizeButton(page);
  expect(button?.dom?.tagName.toLowerCase()).toBe('wx-button'); // Vant's template, not a bare tag
  expect(renderedClasses(button)).toEqual(
    expect.arrayContaining(['van-button--van-button', 'van-button--van-button--primary']),
  );
  expect(button?.dom?.textContent).toBe('立即授权');
  const rowTitles = page.root.querySelectorAll('.type-row').map((cell) => cell.querySelector('.van-cell')?.dom?.textContent);
  expect(rowTitles).toHaveLength(4);
  expect(rowTitles[0]).toContain('公众号');
});

test('the button is disabled until a type is chosen, then a tap reaches the page', async () => {
  const page = await loadPage(PAGE);

  expect(renderedClasses(authorizeButton(page))).toContain('van-button--van-button--disabled');
  await tap(authorizeButton(page), page);
  expect(page.callsTo('showToast')).toHaveLength(0);

  await tap(typeRow(page, 2), page);
  expect(page.root.data.selected).toBe(2);
  expect(renderedClasses(authorizeButton(page))).not.toContain('van-button--van-button--disabled');

  await tap(authorizeButton(page), page);
  expect(page.callsTo('showToast')).toHaveLength(1);
});

test('tapping a radio selects its type and checks only that radio', async () => {
  const page = await loadPage(PAGE);

  // Slotted content belongs to the page's tree: the radios are found from the page, not the cells.
  const radios = page.root.querySelectorAll('.type-radio');
  await tap(radios[2]?.querySelector('.van-radio__icon'), page);

  expect(page.root.data.selected).toBe(5);
  const checked = radios.map((radio) => renderedClasses(radio.querySelector('.van-radio__icon')).includes('van-radio--van-radio__icon--checked'));
  expect(checked).toEqual([false, false, true, false]);
});

test("the radio group's change event selects an offered type and ignores anything else", async () => {
  const page = await loadPage(PAGE);
  const group = page.root.querySelector('#account-types');

  group?.dispatchEvent('change', { detail: '7' }); // auth_type 7 does not exist
  await page.flush();
  expect(page.root.data.selected).toBe(0);

  group?.dispatchEvent('change', { detail: '6' }); // radio names arrive as text
  await page.flush();
  expect(page.root.data.selected).toBe(6);
});
