import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, headerNameOf } from '../support/browser.ts';
import { persona } from '../support/personas.ts';

const ctx = useTestApp();

async function loggedIn(key = 'allocataire-migre'): Promise<TestBrowser> {
  const p = persona(key);
  const b = new TestBrowser(ctx.app);
  const res = await b.login(p.nir, p.password);
  expect(res.statusCode).toBe(303);
  return b;
}

const sessionCookie = 'moncompte';

describe('sessions', () => {
  it('sends anonymous visitors of /mon-compte to /connexion', async () => {
    const res = await new TestBrowser(ctx.app).get('/mon-compte');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/connexion');
  });

  it('issues a new cookie at login: the pre-login cookie does not become a session', async () => {
    const b = new TestBrowser(ctx.app);
    await b.get('/connexion');
    const before = b.cookies.get(sessionCookie);
    const camille = persona('allocataire-migre');
    await b.submit('/connexion', { nir: camille.nir, password: camille.password });
    const after = b.cookies.get(sessionCookie);
    expect(before).toBeTruthy();
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    const fixed = new TestBrowser(ctx.app);
    fixed.cookies.set(sessionCookie, before ?? '');
    expect((await fixed.get('/mon-compte')).statusCode).toBe(303);
  });

  it('refuses a tampered cookie', async () => {
    const b = await loggedIn();
    const value = b.cookies.get(sessionCookie) ?? '';
    const flipped = value[5] === 'A' ? 'B' : 'A';
    b.cookies.set(sessionCookie, value.slice(0, 5) + flipped + value.slice(6));
    const res = await b.get('/mon-compte');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/connexion');
  });

  it('refuses a validly encrypted cookie whose person is not the session’s person', async () => {
    const b = await loggedIn('allocataire-migre');
    const other = await ctx.pool.query<{ id: string }>(
      "SELECT p.id FROM persons p JOIN dossier_members m ON m.person_id = p.id JOIN dossiers d ON d.id = m.dossier_id WHERE d.number = '5678901' AND m.role = 'allocataire'",
    );
    const mine = ctx.app.decodeSecureSession(b.cookies.get(sessionCookie) ?? '');
    expect(mine).not.toBeNull();
    const forged = ctx.app.createSecureSession({ sid: mine?.get('sid'), pid: other.rows[0]?.id });
    b.cookies.set(sessionCookie, ctx.app.encodeSecureSession(forged));
    const res = await b.get('/mon-compte');
    expect(res.statusCode).toBe(303);
    expect(res.body).not.toContain('Marie');
  });

  it('refuses the cookie replayed after logout', async () => {
    const b = await loggedIn();
    const stolen = b.cookies.get(sessionCookie) ?? '';
    expect((await b.logout()).headers.location).toBe('/deconnexion');
    expect(b.cookies.has(sessionCookie)).toBe(false);
    const replay = new TestBrowser(ctx.app);
    replay.cookies.set(sessionCookie, stolen);
    const res = await replay.get('/mon-compte');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/connexion');
    const row = await ctx.pool.query(
      'SELECT revoked_reason FROM sessions WHERE revoked_at IS NOT NULL',
    );
    expect(row.rows.map((r: { revoked_reason: string }) => r.revoked_reason)).toContain(
      'deconnexion',
    );
  });

  it('ends a session idle for longer than 30 minutes', async () => {
    const b = await loggedIn();
    expect((await b.get('/mon-compte')).statusCode).toBe(200);
    const { rows } = await ctx.pool.query<{ person_id: string }>(
      "UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE created_at = (SELECT max(created_at) FROM sessions) RETURNING person_id",
    );
    expect(rows).toHaveLength(1);
    expect((await b.get('/mon-compte')).statusCode).toBe(303);
  });

  it('ends a session past its absolute lifetime even when active', async () => {
    const b = await loggedIn();
    await ctx.pool.query(
      "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE created_at = (SELECT max(created_at) FROM sessions)",
    );
    expect((await b.get('/mon-compte')).statusCode).toBe(303);
  });

  it('sets the absolute expiry to 12 hours after authentication', async () => {
    await loggedIn();
    const { rows } = await ctx.pool.query<{ hours: number }>(
      'SELECT extract(epoch FROM expires_at - authenticated_at)::int / 3600 AS hours FROM sessions ORDER BY created_at DESC LIMIT 1',
    );
    expect(rows[0]?.hours).toBe(12);
  });

  it('revokes one session without touching the person’s other sessions', async () => {
    const phone = await loggedIn();
    const laptop = await loggedIn();
    await phone.logout();
    const res = await laptop.get('/mon-compte');
    expect(res.statusCode).toBe(200);
    expect(headerNameOf(res.body)).toBe('Camille MARTIN');
  });

  it('takes the person from the session, never from the URL', async () => {
    const b = await loggedIn('conjoint-avec-delegation');
    const petit = await ctx.pool.query<{ id: string }>(
      "SELECT id FROM dossiers WHERE number = '5678901'",
    );
    const otherId = petit.rows[0]?.id ?? '';
    for (const url of [
      '/mon-compte?dossier=5678901',
      `/mon-compte?dossierId=${otherId}`,
      '/mon-compte?personId=1',
      '/mon-compte/5678901',
      `/mon-compte/${otherId}`,
      '/mon-compte/../mon-compte?numero=5678901',
    ]) {
      const res = await b.get(url);
      expect(res.body).not.toContain('5678901');
      expect(res.body).not.toContain('Monnaie');
      if (res.statusCode === 200) expect(headerNameOf(res.body)).toBe('Antoine LEROY');
      else expect(res.statusCode).toBe(404);
    }
  });
});

describe('access log', () => {
  it('records every display of dossier data, with categories and the hashed session id', async () => {
    const b = await loggedIn('allocataire-migre');
    await b.get('/mon-compte');
    const { rows } = await ctx.pool.query<{
      categories: string[];
      route: string;
      number: string | null;
      session_hash: Buffer;
    }>(
      `SELECT l.categories, l.route, d.number, l.session_hash FROM access_log l
         LEFT JOIN dossiers d ON d.id = l.dossier_id ORDER BY l.id DESC LIMIT 2`,
    );
    const dossierRow = rows.find((r) => r.number === '1234567');
    expect(dossierRow?.route).toBe('/mon-compte');
    expect(dossierRow?.categories).toEqual(
      expect.arrayContaining(['adresse', 'membres', 'paiements', 'coordonnees-bancaires']),
    );
    const session = await ctx.pool.query('SELECT 1 FROM sessions WHERE id_hash = $1', [
      dossierRow?.session_hash,
    ]);
    expect(session.rowCount).toBe(1);
  });

  it('records only what the matrix let the person see (conjoint without delegation: no payments)', async () => {
    const b = await loggedIn('conjoint-sans-delegation');
    const page = await b.get('/mon-compte');
    expect(page.body).not.toContain('Mes derniers paiements');
    expect(page.body).not.toContain('data-iban');
    const { rows } = await ctx.pool.query<{ categories: string[] }>(
      'SELECT categories FROM access_log WHERE dossier_id IS NOT NULL ORDER BY id DESC LIMIT 1',
    );
    expect(rows[0]?.categories).not.toContain('paiements');
    expect(rows[0]?.categories).not.toContain('coordonnees-bancaires');
  });

  it('cannot be updated, deleted or truncated', async () => {
    await expect(ctx.pool.query("UPDATE access_log SET route = 'x'")).rejects.toThrow(
      /append-only/,
    );
    await expect(ctx.pool.query('DELETE FROM access_log')).rejects.toThrow(/append-only/);
    await expect(ctx.pool.query('TRUNCATE access_log')).rejects.toThrow(/append-only/);
  });
});
