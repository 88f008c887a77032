import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '#src/domain/principal.ts';
import { dossierFor } from '#src/services/dossier-access.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { demo, persona, required } from '../support/personas.ts';

const ctx = useTestApp();

async function principalOf(key: string): Promise<Principal> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
    demo(key).nir,
  ]);
  return {
    personId: required(r.rows[0]?.id, key),
    displayName: key,
    sessionHash: randomBytes(32),
    method: 'password',
    acr: null,
    authenticatedAt: new Date(),
  };
}

async function logRowsOf(principal: Principal) {
  const r = await ctx.pool.query<{ number: string | null; categories: string[]; route: string }>(
    `SELECT d.number, l.categories, l.route FROM access_log l
       LEFT JOIN dossiers d ON d.id = l.dossier_id WHERE l.session_hash = $1 ORDER BY l.id`,
    [principal.sessionHash],
  );
  return r.rows;
}

describe('dossierFor: the dossier a page may show, and its access-log row', () => {
  it('answers the dossier, role, delegation and age the matrix allows, and logs what is shown', async () => {
    const camille = await principalOf('allocataire-migre');
    const shown = { route: '/essai', categories: ['membres'] } as const;
    const access = await dossierFor(ctx.deps, camille, 'manage-delegations', { shown });
    expect(access).toMatchObject({
      ok: true,
      dossier: { number: '1234567' },
      membership: { role: 'allocataire', delegation: false },
    });
    expect(access.ok && access.membership.age).toBeGreaterThanOrEqual(15);
    expect(await logRowsOf(camille)).toEqual([
      { number: '1234567', categories: ['membres'], route: '/essai' },
    ]);
  });

  it('refuses with the reason and logs nothing', async () => {
    const julien = await principalOf('conjoint-sans-delegation');
    const shown = { route: '/essai', categories: ['coordonnees-bancaires'] } as const;
    expect(await dossierFor(ctx.deps, julien, 'change-bank-details', { shown })).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    const ines = await principalOf('primo-demandeur');
    expect(await dossierFor(ctx.deps, ines, 'dossier-summary', { shown })).toEqual({
      ok: false,
      reason: 'no-dossier',
    });
    expect(await logRowsOf(julien)).toEqual([]);
    expect(await logRowsOf(ines)).toEqual([]);
  });

  it('logs the household listed on /mon-compte/foyer', async () => {
    const p = persona('allocataire-migre');
    const b = new TestBrowser(ctx.app);
    await b.login(p.nir, p.password);
    expect((await b.get('/mon-compte/foyer')).statusCode).toBe(200);
    const { rows } = await ctx.pool.query<{ categories: string[]; number: string }>(
      `SELECT l.categories, d.number FROM access_log l JOIN dossiers d ON d.id = l.dossier_id
        WHERE l.route = '/mon-compte/foyer' ORDER BY l.id DESC LIMIT 1`,
    );
    expect(rows[0]).toEqual({ categories: ['membres'], number: '1234567' });
  });
});
