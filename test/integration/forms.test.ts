import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { demo, persona, required } from '../support/personas.ts';

/** Issue 8: every form validated by the server only, its errors linked to fields that exist. */

const ctx = useTestApp();

function templates(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? templates(join(dir, e.name))
      : e.name.endsWith('.njk')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Each error-summary link whose target id is not in the page. */
function brokenSummaryLinks(html: string): string[] {
  const summary = /<div[^>]*id="error-summary"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
  const targets = [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1] ?? '');
  return targets.filter((id) => !html.includes(`id="${id}"`));
}

async function as(key: string): Promise<TestBrowser> {
  const p = persona(key);
  const b = new TestBrowser(ctx.app);
  expect((await b.login(p.nir, p.password)).headers.location).toBe('/mon-compte');
  return b;
}

describe('forms', () => {
  it('every form in every view has novalidate (no browser bubble in the browser’s language)', () => {
    const missing = templates('views').flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/<form\b[^>]*>/g)]
        .map((m) => m[0])
        .filter((tag) => !tag.includes('novalidate'))
        .map((tag) => `${file}: ${tag}`),
    );
    expect(missing).toEqual([]);
  });

  it('types every date as JJ/MM/AAAA text: no browser date picker whose format disagrees', () => {
    const pickers = templates('views').filter((file) =>
      /type="date"/.test(readFileSync(file, 'utf8')),
    );
    expect(pickers).toEqual([]);
  });

  it('says « Tous les champs sont obligatoires sauf mention contraire. » on every page with fields', () => {
    const withFields = templates('views/pages').filter((file) =>
      /field\(|password\(|class="fr-input/.test(readFileSync(file, 'utf8')),
    );
    expect(withFields.length).toBeGreaterThan(10);
    const silent = withFields.filter(
      (file) =>
        !readFileSync(file, 'utf8').includes(
          'Tous les champs sont obligatoires sauf mention contraire.',
        ),
    );
    expect(silent).toEqual([]);
  });

  it('puts the password error and « Mot de passe oublié ? » on lines of their own', async () => {
    const res = await new TestBrowser(ctx.app).submit('/connexion', { nir: '', password: '' });
    expect(res.body).toMatch(/id="password-error">[^<]+<\/p>\s*<\/div>/);
    const css = readFileSync('public/app.css', 'utf8');
    expect(css).toMatch(
      /\.fr-password > \.fr-messages-group,\s*\.fr-password > p \{\s*flex: 1 0 100%;/,
    );
  });

  it('focuses the error summary on arrival after a failed submit', async () => {
    const res = await new TestBrowser(ctx.app).submit('/connexion', { nir: '', password: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="error-summary"[^>]*autofocus/);
    expect(brokenSummaryLinks(res.body)).toEqual([]);
  });

  it('a bad invitation e-mail: linked summary, error beside the field, value kept', async () => {
    const camille = await as('allocataire-migre');
    const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
      demo('enfant-16').nir,
    ]);
    const lea = required(r.rows[0]?.id, 'Léa');
    const res = await camille.submit(
      '/mon-compte/foyer',
      { membre: lea, channel: 'email', email: 'pas-une-adresse' },
      '/mon-compte/foyer/invitation',
    );
    expect(res.statusCode).toBe(400);
    expect(brokenSummaryLinks(res.body)).toEqual([]);
    expect(res.body).toContain(`href="#email-${lea}"`);
    expect(res.body).toContain(`id="email-${lea}-error"`);
    expect(res.body).toMatch(new RegExp(`id="email-${lea}"[^>]*value="pas-une-adresse"`));
    expect(res.body).toMatch(new RegExp(`id="email-${lea}"[^>]*aria-invalid="true"`));

    const sms = await camille.submit(
      '/mon-compte/foyer',
      { membre: lea, channel: 'sms', phone: '12' },
      '/mon-compte/foyer/invitation',
    );
    expect(sms.statusCode).toBe(400);
    expect(brokenSummaryLinks(sms.body)).toEqual([]);
    expect(sms.body).toMatch(new RegExp(`id="canal-sms-${lea}"[^>]*checked`));
    expect(sms.body).toMatch(new RegExp(`id="phone-${lea}"[^>]*value="12"`));

    const junk = await camille.submit(
      '/mon-compte/foyer',
      { membre: 'pas-un-id' },
      '/mon-compte/foyer/invitation',
    );
    expect(junk.statusCode).toBe(400);
    expect(brokenSummaryLinks(junk.body)).toEqual([]);
  });
});
