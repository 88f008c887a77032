import { readFileSync } from 'node:fs';
import path from 'node:path';
import nunjucks from 'nunjucks';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '#src/config.ts';
import { registerFilters } from '#src/http/nunjucks/filters.ts';

const env = new nunjucks.Environment(
  new nunjucks.FileSystemLoader(path.join(projectRoot, 'views')),
  {
    autoescape: true,
    throwOnUndefined: false,
  },
);
registerFilters(env);

function render(source: string, context: Record<string, unknown> = {}): string {
  return env.renderString(`{% from "components/table/macro.njk" import table %}${source}`, context);
}

describe('components/table', () => {
  const page = `{% call table({ id: "t-caption", caption: caption, headers: ["Nom", "Rôle"] }) %}
{% for r in rows %}<tr><td>{{ r.name }}</td><td><span class="fr-badge">{{ r.role }}</span></td></tr>{% endfor %}
{% endcall %}`;
  const html = render(page, {
    caption: 'Membres du foyer',
    rows: [
      { name: 'Camille <MARTIN>', role: 'Allocataire' },
      { name: 'Julien MARTIN', role: 'Conjoint(e)' },
    ],
  });

  it('names the table by its caption, and its scrolling region by the same caption', () => {
    expect(html).toContain('<caption id="t-caption">Membres du foyer</caption>');
    expect(html).toMatch(
      /class="fr-table__container" tabindex="0" role="region" aria-labelledby="t-caption"/,
    );
    expect(html).toContain('class="fr-table fr-table--multiline mc-table fr-table--no-caption"');
  });

  it('wraps its cells and leaves the secondary columns out at 375 px (issue 8)', () => {
    const narrow = render(
      `{% call table({ id: "p", caption: "Paiements", headers: ["Date", "Prestation", "Période", "Montant"], secondary: [3] }) %}{% endcall %}`,
    );
    expect(narrow).toContain('fr-table--multiline');
    expect(narrow).toContain('mc-table--secondary-3');
    const css = readFileSync(path.join(projectRoot, 'public/app.css'), 'utf8');
    expect(css).toMatch(
      /@media \(max-width: 35\.98em\)[\s\S]*\.mc-table--secondary-3 tr > :nth-child\(3\)/,
    );
  });

  it('gives every column header scope="col"', () => {
    expect(html).toContain('<th scope="col">Nom</th><th scope="col">Rôle</th>');
  });

  it('renders the caller’s rows once, their markup kept and their data escaped', () => {
    expect(html.match(/<tr>/g)).toHaveLength(3);
    expect(html).toContain('<span class="fr-badge">Allocataire</span>');
    expect(html).toContain('Camille &lt;MARTIN&gt;');
  });

  it('shows the caption on request, and passes extra attributes to the outer element', () => {
    const shown = render(
      `{% call table({ id: "c", caption: "Paiements", headers: ["Date"], showCaption: true, attributes: { id: "paiements" } }) %}<tr><td>1</td></tr>{% endcall %}`,
    );
    expect(shown).toContain('<div class="fr-table fr-table--multiline mc-table" id="paiements">');
  });
});
