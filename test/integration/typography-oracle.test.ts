import { describe, expect, it } from 'vitest';
import { frenchSpacing } from '#src/http/typography.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

const NBSP = '\u00a0';

// The oracle: frenchSpacing as it was before issue 12, cutting the whole page into tags and text.
const VERBATIM = /^<(script|style|pre|textarea)\b/i;

function spaceText(text: string): string {
  return text.replace(/[ \u00a0]+([?:;!»])/g, `${NBSP}$1`).replace(/«[ \u00a0]+/g, `«${NBSP}`);
}

function cuttingFrenchSpacing(html: string): string {
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

/** The same input, and what the page looked like before spacing (and with wider spaces). */
function variants(html: string): string[] {
  return [
    html,
    html.replaceAll(NBSP, ' '),
    html.replaceAll(NBSP, '  '),
    html.replaceAll(' ', NBSP),
  ];
}

const ctx = useTestApp();

describe('frenchSpacing gives exactly what the cutting version gave', () => {
  it('on tricky fragments: tags, attributes, verbatim elements, unclosed and stray brackets', () => {
    const cases = [
      '',
      'Aide : ici',
      '<p>Exemple : 06 ; oui ! « Mot de passe oublié ? »</p>',
      '<a href="https://x.example/?a=1" title="Aide : ici">Aide :</a>',
      '<pre>a : b</pre> c : d <textarea>e ? f</textarea> g ! h',
      '<PRE class="x : y">a : b</Pre> c : d',
      '<prefix>a : b</prefix> <pre-x>c : d</pre-x> e : f',
      '<script>if (a < b) x = " : "; </pre> y ; </script> z ; <style> p { a : b } </style>',
      '<pre> <script> a : b </pre> c : d </script> e : f',
      '<script> <pre> a : b </script> c : d',
      '<div data-x="<pre>"> a : b </div> c : d',
      '<p>a > b : c</p>',
      '<p>a ><b : c',
      '<p>x</p><b : c',
      '<a : b',
      'a < b : c',
      '> a : b',
      '< a : b >',
      '<<pre> a : b',
      '«  a  »« b » « c :',
      `« ${NBSP} x ${NBSP}: y »`,
      '<textarea>a : b</textareas> c : d</textarea> e : f',
    ];
    for (const html of cases) expect(frenchSpacing(html), html).toBe(cuttingFrenchSpacing(html));
  });

  it('on 20,000 generated strings of tags, text and punctuation', () => {
    const tokens = [
      '<', '>', ' ', ' ', NBSP, ':', '?', ';', '!', '«', '»', 'a', '"', '=', '\n', 'x : y',
      '<pre>', '</pre>', '<pre class="x : y">', '<script>', '</SCRIPT>', '<Script type="m">',
      '<prefix>', '</prefix>', '<textarea>', '</textarea >', '<style>', '</style>', '<p>',
      '</p>', '<a title=" : ">', '<pre', '</pre', '<scripts>', '<pre-x>', '« z »',
    ]; // prettier-ignore
    // mulberry32: a small generator with a fixed seed, so that a failure can be replayed.
    let seed = 12;
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    let changed = 0;
    for (let i = 0; i < 20_000; i++) {
      let html = '';
      for (let j = random(30); j > 0; j--) html += tokens[random(tokens.length)] ?? '';
      const expected = cuttingFrenchSpacing(html);
      if (expected !== html) changed++;
      expect(frenchSpacing(html), JSON.stringify(html)).toBe(expected);
    }
    console.log(`${String(changed)} of 20,000 generated strings spaced`);
    // The generator reaches both sides: strings spaced, strings left alone.
    expect(changed).toBeGreaterThan(2_000);
    expect(changed).toBeLessThan(20_000);
  });

  it('on every page the route table leads to, anonymous and signed in', async () => {
    const { app } = ctx;
    const anonymous = new TestBrowser(app);
    const signedIn = new TestBrowser(app);
    const camille = persona('allocataire-migre');
    expect((await signedIn.login(camille.nir, camille.password)).statusCode).toBe(303);
    const urls = app.routeTable
      .filter((r) => r.method === 'GET' && !/[*:]/.test(r.url))
      .map((r) => r.url);
    const pages: string[] = [];
    for (const url of urls) {
      for (const browser of [anonymous, signedIn]) {
        const res = await browser.get(url);
        if (String(res.headers['content-type']).startsWith('text/html')) pages.push(res.body);
      }
    }
    expect(pages.length).toBeGreaterThan(40);
    let spaced = 0;
    for (const page of pages) {
      for (const html of variants(page)) {
        const expected = cuttingFrenchSpacing(html);
        if (expected !== html) spaced++;
        expect(frenchSpacing(html)).toBe(expected);
      }
    }
    console.log(`${String(pages.length)} pages, ${String(spaced)} of their variants spaced`);
    expect(spaced).toBeGreaterThan(pages.length);
  });
});
