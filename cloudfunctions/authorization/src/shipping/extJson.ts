/**
 * The per-merchant `ext_json` (spec §3.1): the job's template, a JSON object whose strings may hold
 * `{{key}}` placeholders, filled from the values the provider keeps for the merchant. `{{appid}}`
 * is always the merchant's appid (for `extAppid`). WeChat wants the result as a string. Pure.
 */
export type Rendered = { ok: true; extJson: string } | { ok: false; missing: string[] };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

export function renderExtJson(template: Record<string, unknown>, values: Record<string, string>, appid: string): Rendered {
  const known: Record<string, string> = { ...values, appid };
  const missing = new Set<string>();
  const filled = fill(template, known, missing);
  if (missing.size > 0) return { ok: false, missing: [...missing].sort() };
  return { ok: true, extJson: JSON.stringify(filled) };
}

function fill(value: unknown, known: Record<string, string>, missing: Set<string>): unknown {
  if (typeof value === 'string') return fillString(value, known, missing);
  if (Array.isArray(value)) return value.map((v) => fill(v, known, missing));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, known, missing)]));
  }
  return value;
}

/** An empty value counts as missing: a blank shop name in a live mini-program is worse than none shipped. */
function fillString(text: string, known: Record<string, string>, missing: Set<string>): string {
  return text.replace(PLACEHOLDER, (whole, key: string) => {
    const value = known[key];
    if (value === undefined || value.trim() === '') {
      missing.add(key);
      return whole;
    }
    return value;
  });
}
