import nunjucks from 'nunjucks';

/**
 * Markup built in TypeScript, for the few fragments of a page that repeat by the dozen (ADR
 * 0017): Mes paiements' month tables and chart. Everything else is written in Nunjucks.
 *
 * `markup` is a tagged template (not named `html`: Prettier would reformat the markup inside,
 * and change the page). Each interpolated value is escaped exactly as Nunjucks'
 * autoescape escapes `{{ value }}` (the same six characters, the same entities) unless it is
 * itself made by `markup`. An array is the concatenation of its items, each escaped on the
 * same rule. `null`, `undefined` and `false` write nothing, so `${cond && markup`…`}` reads as an
 * `{% if %}`. The result is a Nunjucks SafeString: `{{ fragment }}` in a template writes it as
 * it is, with no `| safe` filter to forget or to misuse.
 */
export type Html = nunjucks.runtime.SafeString;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '"': '&quot;',
  "'": '&#39;',
  '<': '&lt;',
  '>': '&gt;',
  '\\': '&#92;',
};
const ESCAPED = /[&"'<>\\]/g;
const NEEDS_ESCAPING = /[&"'<>\\]/;

/** Text as Nunjucks' autoescape writes it (test/unit/paiements-markup.test.ts checks it against Nunjucks). */
export function escapeHtml(text: string): string {
  // Most values (amounts, dates, ids) have nothing to escape: no replacement, no new string.
  if (!NEEDS_ESCAPING.test(text)) return text;
  return text.replace(ESCAPED, (c) => ESCAPES[c] ?? c);
}

function isHtml(value: unknown): value is Html {
  return value instanceof nunjucks.runtime.SafeString;
}

/** What `markup` interpolates: text, numbers, its own markup, lists of them; nothing else. */
export type HtmlValue = string | number | boolean | null | undefined | Html | readonly HtmlValue[];

function piece(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || value === true) return String(value);
  if (isHtml(value)) return value.val;
  let out = '';
  for (const item of value) out += piece(item);
  return out;
}

export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + (strings[i + 1] ?? '');
  return new nunjucks.runtime.SafeString(out);
}
