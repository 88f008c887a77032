/** French typography on rendered pages: no line break before « ? : ; ! » or inside « ». */

const NBSP = '\u00a0';
/** Elements whose text is not prose (code, scripts, user input shown as typed). */
const VERBATIM = /^<(script|style|pre|textarea)\b/i;

function spaceText(text: string): string {
  return text.replace(/[ \u00a0]+([?:;!»])/g, `${NBSP}$1`).replace(/«[ \u00a0]+/g, `«${NBSP}`);
}

/**
 * The page's text nodes with non-breaking spaces before high punctuation; tags, attribute
 * values and verbatim elements untouched (an URL's ":" or a value typed by the person).
 */
export function frenchSpacing(html: string): string {
  let out = '';
  let verbatim: string | null = null;
  for (const piece of html.split(/(<[^>]*>)/)) {
    if (piece.startsWith('<')) {
      const open = VERBATIM.exec(piece);
      if (!verbatim && open?.[1]) verbatim = open[1].toLowerCase();
      else if (verbatim && piece.toLowerCase().startsWith(`</${verbatim}`)) verbatim = null;
      out += piece;
    } else {
      out += verbatim ? piece : spaceText(piece);
    }
  }
  return out;
}

/** A NIR or other grouped number kept on one line (it wrapped mid-number at 375 px). */
export function unbreakable(text: string): string {
  return text.replace(/ /g, NBSP);
}
