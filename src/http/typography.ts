/** French typography on rendered pages: no line break before « ? : ; ! » or inside « ». */

const NBSP = '\u00a0';
/**
 * Where spaces to make non-breaking are: before high punctuation, or after an opening guillemet
 * (one space of the run: the rest of the run is found by hand, without the regex backtracking
 * through every indentation of the page).
 */
const CANDIDATE = /[ \u00a0][?:;!»]|«[ \u00a0]/g;
/** Where a tag that may open or close a verbatim element can start. */
const VERBATIM_TAG = /<(\/?)(script|style|pre|textarea)/gi;
/** A character that continues a tag name (the `\b` of `<pre\b`: `<prefix>` is no `<pre>`). */
const WORD = /\w/;

const isSpace = (code: number): boolean => code === 0x20 || code === 0xa0;

/**
 * The page's text nodes with non-breaking spaces before high punctuation; tags, attribute
 * values and verbatim elements (script, style, pre, textarea: code, user input shown as typed)
 * untouched, an URL's ":" or a value typed by the person.
 *
 * A tag runs from a `<` to the next `>`; text is everything else. Pages have few candidate
 * spaces, so instead of cutting the whole page into tags and text, each candidate is placed by
 * looking backwards: inside a tag when a `<` follows the last `>` before it (and a `>` closes
 * it); inside a verbatim element by replaying, in order, only the tags that open or close one.
 * test/integration/typography-oracle.test.ts checks it against the cutting version.
 */
export function frenchSpacing(html: string): string {
  CANDIDATE.lastIndex = 0;
  let candidate = CANDIDATE.exec(html);
  if (!candidate) return html;
  const lastClose = html.lastIndexOf('>');
  /** The last `ch` before `at` (-1: none). */
  const lastBefore = (ch: string, at: number): number =>
    at <= 0 ? -1 : html.lastIndexOf(ch, at - 1);
  /** Whether the `<` or `>` at `at` closes a tag: a `<` since the `>` before it. */
  const closesTag = (at: number): boolean => lastBefore('<', at) > lastBefore('>', at);
  /** Whether the text at `at` (neither `<` nor `>`) is part of a tag. */
  const inTag = (at: number): boolean =>
    at < lastClose
      ? lastBefore('<', at) > lastBefore('>', at)
      : // Past the last `>`: an unclosed `<` right after the last tag makes the rest one tag.
        html.charCodeAt(lastClose + 1) === 0x3c && (lastClose < 0 || closesTag(lastClose));
  /** Whether the `<` at `at` starts a tag: no `<` since the last `>`, and a `>` to close it. */
  const startsTag = (at: number): boolean =>
    at < lastClose && lastBefore('<', at) <= lastBefore('>', at);

  VERBATIM_TAG.lastIndex = 0;
  let tag = VERBATIM_TAG.exec(html);
  let verbatim: string | null = null;
  let out = '';
  let copied = 0;
  while (candidate) {
    // The whole run of spaces: [start, end), then the punctuation or after the guillemet.
    let start = candidate.index;
    let end = start + 1;
    if (html.charCodeAt(start) === 0xab) {
      start = end;
      while (isSpace(html.charCodeAt(end))) end++;
      CANDIDATE.lastIndex = end;
    } else {
      while (start > copied && isSpace(html.charCodeAt(start - 1))) start--;
    }
    for (; tag && tag.index < start; tag = VERBATIM_TAG.exec(html)) {
      if (!startsTag(tag.index)) continue;
      const name = (tag[2] ?? '').toLowerCase();
      if (tag[1]) {
        if (verbatim === name) verbatim = null;
      } else if (!verbatim && !WORD.test(html.charAt(tag.index + tag[0].length))) {
        verbatim = name;
      }
    }
    if (!verbatim && !inTag(start)) {
      out += html.slice(copied, start);
      out += NBSP;
      copied = end;
    }
    candidate = CANDIDATE.exec(html);
  }
  return copied === 0 ? html : out + html.slice(copied);
}

/** A NIR or other grouped number kept on one line (it wrapped mid-number at 375 px). */
export function unbreakable(text: string): string {
  return text.replace(/ /g, NBSP);
}
