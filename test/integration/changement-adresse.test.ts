import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf, type Reply } from '../support/browser.ts';
import { lastMessageTo } from '../support/outbox.ts';
import { demo, persona, required } from '../support/personas.ts';

const ctx = useTestApp();
const PATH = '/mon-compte/changement-adresse';

async function idOf(key: string): Promise<string> {
  const p = demo(key);
  const r = await ctx.pool.query<{ id: string }>(
    'SELECT id FROM persons WHERE nir = $1 OR provisional_id = $2',
    [p.nir, p.provisionalId],
  );
  return required(r.rows[0]?.id, key);
}

async function as(key: string): Promise<TestBrowser> {
  const b = new TestBrowser(ctx.app);
  const p = demo(key);
  const res =
    key === 'identifiant-provisoire'
      ? await b.submit('/identifiant-provisoire', {
          identifiant: required(p.provisionalId, 'id'),
          password: required(p.password, 'password'),
        })
      : key === 'enfant-16'
        ? await b.login(required(p.nir, 'nir'), 'Lycee-Paris-2010')
        : await b.login(persona(key).nir, persona(key).password);
  expect(res.headers.location).toBe('/mon-compte');
  return b;
}

/** JJ/MM/AAAA, `days` from today (the services' clock is the real one here). */
function dayFr(days: number): string {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  return d.toISOString().slice(0, 10).split('-').reverse().join('/');
}

const valid = {
  ligne1: '8 rue Sainte-Catherine',
  codePostal: '69001',
  commune: 'lyon',
  date: dayFr(10),
  logement: 'locataire',
};

/** GETs the form, then POSTs it with that page's token and key (or the key given). */
async function declare(
  b: TestBrowser,
  form: Record<string, string>,
  cle?: string,
): Promise<Reply & { cle: string }> {
  const page = await b.get(PATH);
  const key = cle ?? required(/name="cle" value="([^"]+)"/.exec(page.body)?.[1], 'cle');
  const res = await b.post(PATH, { _csrf: csrfTokenOf(page.body), cle: key, ...form });
  return { ...res, cle: key };
}

async function changesOf(key: string): Promise<{ status: string; details: unknown }[]> {
  const r = await ctx.pool.query<{ status: string; details: unknown }>(
    `SELECT status, details FROM demarches WHERE kind = 'changement-adresse' AND idempotency_key = $1`,
    [key],
  );
  return r.rows;
}

describe('Changement d’adresse: the access matrix, persona by persona', () => {
  const cases: [string, number][] = [
    ['allocataire-migre', 200],
    ['conjoint-sans-delegation', 403],
    ['conjoint-avec-delegation', 200],
    ['identifiant-provisoire', 200],
    ['foyer-sans-lien', 200],
    ['primo-demandeur', 403],
  ];
  for (const [key, status] of cases) {
    it(`${key}: ${String(status)} on the page and on the declaration`, async () => {
      const b = await as(key);
      const page = await b.get(PATH);
      expect(page.statusCode).toBe(status);
      if (status === 403) {
        expect(page.body).toContain('Accès non autorisé');
        expect(page.body).not.toContain('Adresse actuelle');
        expect(page.body).not.toContain('Numéro allocataire');
        const home = await b.get('/mon-compte');
        const res = await b.post(PATH, {
          _csrf: csrfTokenOf(home.body),
          cle: crypto.randomUUID(),
          ...valid,
        });
        expect(res.statusCode).toBe(403);
        expect(res.body).toContain('Accès non autorisé');
      } else {
        expect(page.body).toContain('Adresse actuelle du dossier');
        expect(page.body).toContain('ne change pas tout de suite');
        const res = await declare(b, valid);
        expect(res.statusCode).toBe(303);
        expect(await changesOf(res.cle)).toHaveLength(1);
      }
    });
  }

  it('a 16-year-old: refused without delegation, open with it', async () => {
    const lea = await idOf('enfant-16');
    await ctx.pool.query(
      `INSERT INTO accounts (person_id, password_hash) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [lea, await ctx.deps.hasher.hash('Lycee-Paris-2010')],
    );
    await ctx.pool.query(
      `UPDATE persons SET email = 'lea.martin@example.fr', email_verified_at = now() WHERE id = $1`,
      [lea],
    );
    const b = await as('enfant-16');
    const refused = await b.get(PATH);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).not.toContain('12 rue des Lilas');
    await ctx.pool.query('UPDATE dossier_members SET delegation = true WHERE person_id = $1', [
      lea,
    ]);
    expect((await b.get(PATH)).statusCode).toBe(200);
    await ctx.pool.query('UPDATE dossier_members SET delegation = false WHERE person_id = $1', [
      lea,
    ]);
  });
});

describe('declaring a change of address', () => {
  it('records the démarche en cours once, confirms on the dashboard, tells Julien, keeps the dossier’s address', async () => {
    const b = await as('allocataire-migre');
    const res = await declare(b, {
      ...valid,
      ligne2: 'Bâtiment B',
      commune: 'LYON',
      logement: 'proprietaire',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mon-compte');
    const home = await b.get('/mon-compte');
    expect(home.body).toContain('data-confirmation="changement-adresse"');
    expect(home.body).toContain('Votre changement d’adresse est déclaré');
    expect(home.body).toContain('12 rue des Lilas');
    const again = await declare(b, valid, res.cle);
    expect(again.statusCode).toBe(303);
    const rows = await changesOf(res.cle);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({
      status: 'en-cours',
      details: {
        date: valid.date.split('/').reverse().join('-'),
        housing: 'proprietaire',
        address: {
          line1: '8 rue Sainte-Catherine',
          line2: 'Bâtiment B',
          postcode: '69001',
          commune: 'Lyon',
        },
      },
    });
    const dossier = await ctx.pool.query<{ address_line1: string }>(
      `SELECT address_line1 FROM dossiers WHERE number = '1234567'`,
    );
    expect(dossier.rows[0]?.address_line1).toContain('12 rue des Lilas');
    const notice = required(
      await lastMessageTo(ctx.pool, required(demo('conjoint-sans-delegation').email, 'email')),
      'notice to Julien',
    );
    expect(notice.subject).toBe('Changement d’adresse déclaré');
    expect(notice.body).toContain('8 rue Sainte-Catherine, Bâtiment B, 69001 Lyon');
    expect(notice.body).toContain(valid.date);
    const count = await ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dev_outbox WHERE subject = 'Changement d’adresse déclaré'
         AND recipient = $1`,
      [required(demo('allocataire-migre').email, 'email')],
    );
    expect(count.rows[0]?.n).toBe(0);
  });

  it('refuses a commune that does not match the postal code, and offers the right ones', async () => {
    const b = await as('allocataire-migre');
    const res = await declare(b, { ...valid, commune: 'Marseille' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      'id="commune-error">La commune ne correspond pas au code postal 69001',
    );
    expect(res.body).toMatch(/<select[^>]*id="commune"/);
    expect(res.body).toContain('<option value="Lyon">Lyon</option>');
    expect(res.body).toMatch(/id="error-summary"[\s\S]*href="#commune"/);
    expect(await changesOf(res.cle)).toHaveLength(0);
  });

  it('answers a field sent twice in French, by the field (not the validator’s English)', async () => {
    const b = await as('allocataire-migre');
    const page = await b.get(PATH);
    const form = new URLSearchParams({
      _csrf: csrfTokenOf(page.body),
      cle: required(/name="cle" value="([^"]+)"/.exec(page.body)?.[1], 'cle'),
      ...valid,
    });
    form.append('commune', 'Paris');
    form.append('ligne2', 'a');
    form.append('ligne2', 'b');
    const res = await ctx.app.inject({
      method: 'POST',
      url: PATH,
      headers: {
        cookie: b.cookieHeader(),
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'http://localhost:80',
      },
      payload: form.toString(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="commune-error">Saisissez le nom de la commune.');
    expect(res.body).toContain('id="ligne2-error">Saisissez le complément d’adresse');
    expect(res.body).not.toMatch(/Invalid input/);
  });

  it('refuses an unknown postal code by its field', async () => {
    const b = await as('allocataire-migre');
    const res = await declare(b, { ...valid, codePostal: '99999' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="codePostal-error">Le code postal 99999 n’existe pas');
    expect(res.body).toMatch(/id="codePostal"[^>]*value="99999"/);
    const bad = await declare(b, { ...valid, codePostal: '6900' });
    expect(bad.body).toContain('id="codePostal-error">Saisissez un code postal de 5 chiffres');
  });

  it('lets the person choose among the communes of a shared postal code', async () => {
    const b = await as('allocataire-migre');
    const first = await declare(b, { ...valid, codePostal: '01400', commune: '' });
    expect(first.statusCode).toBe(400);
    expect(first.body).toContain('Choisissez votre commune parmi celles du code postal 01400.');
    for (const name of ['Châtillon-sur-Chalaronne', 'Sulignat', 'L&#39;Abergement-Clémenciat']) {
      expect(first.body).toContain(`>${name}</option>`);
    }
    // The key of the first try is kept: the choice completes the same declaration.
    const cle = required(/name="cle" value="([^"]+)"/.exec(first.body)?.[1], 'cle');
    expect(cle).toBe(first.cle);
    const chosen = await b.post(PATH, {
      _csrf: csrfTokenOf(first.body),
      cle,
      ...valid,
      codePostal: '01400',
      commune: 'Châtillon-sur-Chalaronne',
    });
    expect(chosen.statusCode).toBe(303);
    expect(await changesOf(cle)).toHaveLength(1);
    // Case and accents do not count when typed.
    const typed = await declare(b, {
      ...valid,
      codePostal: '01400',
      commune: 'chatillon sur chalaronne',
    });
    expect(typed.statusCode).toBe(303);
    const rows = await changesOf(typed.cle);
    expect(rows[0]?.details).toMatchObject({ address: { commune: 'Châtillon-sur-Chalaronne' } });
  });

  it('fills the commune of a postal code that has only one', async () => {
    const b = await as('allocataire-migre');
    const res = await declare(b, { ...valid, codePostal: '42100', commune: '' });
    expect(res.statusCode).toBe(303);
    expect((await changesOf(res.cle))[0]?.details).toMatchObject({
      address: { commune: 'Saint-Étienne' },
    });
  });

  const badDates: [string, string][] = [
    ['31/02/2026', 'Saisissez une date de déménagement valide'],
    ['demain', 'Saisissez une date de déménagement valide'],
    ['', 'Saisissez la date de votre déménagement.'],
    [dayFr(100), 'ne peut pas être après le'],
    [dayFr(-800), 'ne peut pas être avant le'],
  ];
  for (const [date, message] of badDates) {
    it(`refuses the move date « ${date} » by its field`, async () => {
      const b = await as('allocataire-migre');
      const res = await declare(b, { ...valid, date });
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(new RegExp(`id="date-error">[^<]*${message}`));
      expect(res.body).toMatch(/id="error-summary"[\s\S]*href="#date"/);
      expect(await changesOf(res.cle)).toHaveLength(0);
    });
  }

  it('asks for the first line and the housing status, keeping the values typed', async () => {
    const b = await as('allocataire-migre');
    const res = await declare(b, {
      codePostal: valid.codePostal,
      commune: valid.commune,
      date: valid.date,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="ligne1-error">Saisissez le numéro et le nom de la voie.');
    expect(res.body).toContain('id="logement-error">Indiquez votre situation dans ce logement.');
    expect(res.body).toMatch(/id="codePostal"[^>]*value="69001"/);
  });
});
