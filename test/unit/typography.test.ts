import { describe, expect, it } from 'vitest';
import { frenchSpacing, unbreakable } from '#src/http/typography.ts';

const NBSP = '\u00a0';

describe('frenchSpacing', () => {
  it('puts a non-breaking space before « ? : ; ! » and inside « » in text', () => {
    expect(frenchSpacing('<p>Exemple : 06 ; oui ! « Mot de passe oublié ? »</p>')).toBe(
      `<p>Exemple${NBSP}: 06${NBSP}; oui${NBSP}! «${NBSP}Mot de passe oublié${NBSP}?${NBSP}»</p>`,
    );
  });

  it('leaves tags, attributes and verbatim elements alone', () => {
    const html =
      '<a href="https://x.example/?a=1" title="Aide : ici">Aide</a><pre>a : b</pre><textarea>c ? d</textarea>';
    expect(frenchSpacing(html)).toBe(html);
  });
});

describe('unbreakable', () => {
  it('keeps a displayed NIR on one line', () => {
    expect(unbreakable('1 85 03 75 112 123 45')).toBe(
      ['1', '85', '03', '75', '112', '123', '45'].join(NBSP),
    );
  });
});
