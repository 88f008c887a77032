import { describe, expect, it } from 'vitest';
import { makeNir } from '#src/domain/nir.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf, headerNameOf } from '../support/browser.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';
import { demo, persona, required } from '../support/personas.ts';

const ctx = useTestApp();

async function loggedIn(key: string): Promise<TestBrowser> {
  const p = persona(key);
  const b = new TestBrowser(ctx.app);
  const res = await b.login(p.nir, p.password);
  expect(res.statusCode).toBe(303);
  return b;
}

async function personRow(key: string) {
  const r = await ctx.pool.query<{
    id: string;
    email: string | null;
    phone: string | null;
    email_verified_at: Date | null;
  }>('SELECT id, email, phone, email_verified_at FROM persons WHERE nir = $1', [persona(key).nir]);
  return required(r.rows[0], 'person');
}

async function sessionIdsOf(personId: string): Promise<string[]> {
  const r = await ctx.pool.query<{ public_id: string }>(
    'SELECT public_id FROM sessions WHERE person_id = $1 AND revoked_at IS NULL ORDER BY created_at',
    [personId],
  );
  return r.rows.map((row) => row.public_id);
}

describe('Mon profil', () => {
  it('is in the header menu, marked current on its pages, and closed to anonymous visitors', async () => {
    const b = await loggedIn('conjoint-sans-delegation');
    const page = await b.get('/mon-compte/profil');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(
      /href="\/mon-compte\/profil"[^>]*aria-current="page"[^>]*>Mon profil</,
    );
    expect(page.body).toContain('julien.martin@example.fr');
    for (const sub of ['mot-de-passe', 'connexions', 'historique', 'adresse-electronique']) {
      const res = await b.get(`/mon-compte/profil/${sub}`);
      expect(res.statusCode).toBe(200);
      expect(res.body).toMatch(/href="\/mon-compte\/profil"[^>]*aria-current="page"/);
    }
    const anonymous = await new TestBrowser(ctx.app).get('/mon-compte/profil/connexions');
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/connexion');
  });
});

describe('Mon profil: contacts', () => {
  it('refuses an e-mail that does not validate, keeping what was typed', async () => {
    const b = await loggedIn('conjoint-sans-delegation');
    const res = await b.submit('/mon-compte/profil/adresse-electronique', { email: 'julien@' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Saisissez une adresse électronique valide');
    expect(res.body).toContain('value="julien@"');
    expect((await personRow('conjoint-sans-delegation')).email).toBe('julien.martin@example.fr');
  });

  it('changes the e-mail after a code sent to the new one, and tells the old one', async () => {
    const b = await loggedIn('conjoint-sans-delegation');
    const sent = await b.submit('/mon-compte/profil/adresse-electronique', {
      email: 'Julien.Nouveau@example.fr',
    });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/mon-compte/profil/code');
    const mail = required(await lastMessageTo(ctx.pool, 'julien.nouveau@example.fr'), 'code');
    // Not changed until the code: a wrong one is refused.
    const wrong = await b.submit('/mon-compte/profil/code', {
      code: codeIn(mail.body) === '000000' ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Code incorrect ou expiré');
    expect((await personRow('conjoint-sans-delegation')).email).toBe('julien.martin@example.fr');

    const done = await b.submit('/mon-compte/profil/code', { code: codeIn(mail.body) });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/mon-compte/profil?fait=adresse-electronique');
    const after = await personRow('conjoint-sans-delegation');
    expect(after.email).toBe('julien.nouveau@example.fr');
    expect(after.email_verified_at).not.toBeNull();
    const notice = required(await lastMessageTo(ctx.pool, 'julien.martin@example.fr'), 'notice');
    expect(notice.subject).toBe('Vos coordonnées Mon Compte ont été modifiées');
    expect(notice.body).not.toMatch(/(?<!\d)\d{6}(?!\d)/);
    const profile = await b.get('/mon-compte/profil?fait=adresse-electronique');
    expect(profile.body).toContain('Votre nouvelle adresse électronique est validée');
    // The flow is consumed: the code step is over.
    const replay = await b.get('/mon-compte/profil/code');
    expect(replay.statusCode).toBe(303);
  });

  it('refuses a mobile number that does not validate', async () => {
    const b = await loggedIn('conjoint-sans-delegation');
    const res = await b.submit('/mon-compte/profil/mobile', { phone: '01 23 45 67 89' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Saisissez un numéro de téléphone mobile');
  });

  it('never removes the last verified contact; an unverified one may go', async () => {
    const b = await loggedIn('allocataire-leroy');
    const page = await b.get('/mon-compte/profil');
    const refused = await b.post('/mon-compte/profil/suppression', {
      _csrf: csrfTokenOf(page.body),
      channel: 'email',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain(
      'Vous ne pouvez pas supprimer votre dernière coordonnée validée',
    );
    expect((await personRow('allocataire-leroy')).email).toBe('sophie.leroy@example.fr');
    const removed = await b.post('/mon-compte/profil/suppression', {
      _csrf: csrfTokenOf(page.body),
      channel: 'sms',
    });
    expect(removed.statusCode).toBe(303);
    expect((await personRow('allocataire-leroy')).phone).toBeNull();
  });
});

describe('Mon profil: password', () => {
  const PATH = '/mon-compte/profil/mot-de-passe';

  it('refuses a wrong current password, counted as a failed attempt', async () => {
    const b = await loggedIn('allocataire-migre');
    const failures = async () => {
      const r = await ctx.pool.query<{ n: number }>(
        "SELECT coalesce(sum(failures), 0)::int AS n FROM throttles WHERE scope = 'account' AND kind = 'password'",
      );
      return r.rows[0]?.n ?? 0;
    };
    const before = await failures();
    const res = await b.submit(PATH, { current: 'Pas-le-bon-1', password: 'Nouveau-Secret-42' });
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Mot de passe actuel incorrect.');
    expect(await failures()).toBe(before + 1);
    const login = await new TestBrowser(ctx.app).login(
      persona('allocataire-migre').nir,
      persona('allocataire-migre').password,
    );
    expect(login.statusCode).toBe(303);
  });

  it('refuses a new password that breaks the policy', async () => {
    const b = await loggedIn('allocataire-migre');
    const res = await b.submit(PATH, {
      current: persona('allocataire-migre').password,
      password: 'court',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="password-error"');
  });

  it('changes it, ends every other session, keeps this one, and sends a notice', async () => {
    const camille = persona('allocataire-migre');
    const other = await loggedIn('allocataire-migre');
    const b = await loggedIn('allocataire-migre');
    const res = await b.submit(PATH, { current: camille.password, password: 'Glycine-Lyon-2027' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/mon-compte/profil?fait=mot-de-passe');
    expect(headerNameOf((await b.get('/mon-compte')).body)).toBe('Camille MARTIN');
    const gone = await other.get('/mon-compte');
    expect(gone.statusCode).toBe(303);
    expect(gone.headers.location).toBe('/connexion');
    const notice = required(await lastMessageTo(ctx.pool, 'camille.martin@example.fr'), 'notice');
    expect(notice.subject).toBe('Votre mot de passe Mon Compte a été modifié');
    expect((await new TestBrowser(ctx.app).login(camille.nir, camille.password)).statusCode).toBe(
      401,
    );
    expect(
      (await new TestBrowser(ctx.app).login(camille.nir, 'Glycine-Lyon-2027')).statusCode,
    ).toBe(303);
  });
});

describe('Mon profil: Mes connexions', () => {
  it('lists this person’s sessions, marks this device, and ends another one', async () => {
    const antoine = await personRow('conjoint-avec-delegation');
    const phone = await loggedIn('conjoint-avec-delegation');
    const b = await loggedIn('conjoint-avec-delegation');
    const page = await b.get('/mon-compte/profil/connexions');
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/<tr data-session/g)).toHaveLength(2);
    expect(page.body.match(/<tr data-session data-current/g)).toHaveLength(1);
    expect(page.body).toContain('Cet appareil');
    expect(page.body).toContain('Mot de passe');
    const [phoneSession] = await sessionIdsOf(antoine.id);
    const ended = await b.post('/mon-compte/profil/connexions', {
      _csrf: csrfTokenOf(page.body),
      session: required(phoneSession, 'session'),
    });
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/mon-compte/profil/connexions?fait=une');
    // That session's next request is anonymous; this one's is not.
    const next = await phone.get('/mon-compte');
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toBe('/connexion');
    expect((await b.get('/mon-compte')).statusCode).toBe(200);
  });

  it('never ends another person’s session, whatever id the form carries', async () => {
    const sophie = await personRow('allocataire-leroy');
    const victim = await loggedIn('allocataire-leroy');
    const victimSessions = await sessionIdsOf(sophie.id);
    const attacker = await loggedIn('conjoint-avec-delegation');
    const page = await attacker.get('/mon-compte/profil/connexions');
    expect(page.body).not.toContain(required(victimSessions.at(-1), 'session'));
    for (const session of [...victimSessions, 'not-a-uuid', '']) {
      const res = await attacker.post('/mon-compte/profil/connexions', {
        _csrf: csrfTokenOf(page.body),
        session,
      });
      expect(res.statusCode).toBe(303);
      expect(res.headers.location).toBe('/mon-compte/profil/connexions');
    }
    expect(await sessionIdsOf(sophie.id)).toEqual(victimSessions);
    expect((await victim.get('/mon-compte')).statusCode).toBe(200);
  });

  it('ends all the other sessions at once, not this one', async () => {
    const first = await loggedIn('conjoint-avec-delegation');
    const second = await loggedIn('conjoint-avec-delegation');
    const b = await loggedIn('conjoint-avec-delegation');
    const res = await b.submit(
      '/mon-compte/profil/connexions',
      {},
      '/mon-compte/profil/connexions/autres',
    );
    expect(res.statusCode).toBe(303);
    for (const gone of [first, second])
      expect((await gone.get('/mon-compte')).statusCode).toBe(303);
    const page = await b.get('/mon-compte/profil/connexions?fait=autres');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Toutes vos autres sessions ont été fermées.');
    expect(page.body.match(/<tr data-session/g)).toHaveLength(1);
  });
});

describe('Mon profil: Historique de connexion', () => {
  it('shows successes and failures of the person’s own logins, newest first', async () => {
    const sophie = persona('allocataire-leroy');
    const wrong = await new TestBrowser(ctx.app).login(sophie.nir, 'Mauvais-Mot-2026');
    expect(wrong.statusCode).toBe(401);
    const b = await loggedIn('allocataire-leroy');
    const page = await b.get('/mon-compte/profil/historique');
    expect(page.statusCode).toBe(200);
    const rows = [...page.body.matchAll(/<tr data-event="(\w+)"/g)].map((m) => m[1]);
    expect(rows[0]).toBe('success');
    expect(rows).toContain('failure');
    expect(rows.length).toBeLessThanOrEqual(20);
  });

  it('records nothing for an identifier that belongs to nobody', async () => {
    const count = async () =>
      Number(
        (await ctx.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM auth_events')).rows[0]
          ?.n,
      );
    const before = await count();
    const unknown = makeNir({
      sex: 1,
      birthYear: 1970,
      birthMonth: 6,
      department: '33',
      commune: '063',
      order: 998,
    }).value;
    const res = await new TestBrowser(ctx.app).login(unknown, 'Mauvais-Mot-2026');
    expect(res.statusCode).toBe(401);
    expect(await count()).toBe(before);
  });

  it('records the provisional-identifier login too, failure and success, with the device', async () => {
    const amadou = demo('identifiant-provisoire');
    const id = required(amadou.provisionalId, 'provisional id');
    const login = (password: string) =>
      new TestBrowser(ctx.app).submit('/identifiant-provisoire', { identifiant: id, password });
    expect((await login('Mauvais-Mot-2026')).statusCode).toBe(401);
    expect((await login(required(amadou.password, 'password'))).statusCode).toBe(303);
    const r = await ctx.pool.query<{ outcome: string; method: string; user_agent: string }>(
      `SELECT e.outcome, e.method, e.user_agent FROM auth_events e JOIN persons p ON p.id = e.person_id
        WHERE p.provisional_id = $1 ORDER BY e.id`,
      [id],
    );
    expect(r.rows.map((row) => [row.outcome, row.method])).toEqual([
      ['failure', 'password'],
      ['success', 'password'],
    ]);
    expect(r.rows[0]?.user_agent).toBe('lightMyRequest');
  });
});
