import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/app.ts';
import { headerNameOf } from '../support/browser.ts';
import {
  MultiOriginBrowser,
  startFranceConnectTestBed,
  type FranceConnectTestBed,
} from '../support/franceconnect.ts';
import { persona } from '../support/personas.ts';

let db: TestDatabase;
let bed: FranceConnectTestBed;

beforeAll(async () => {
  db = await createTestDatabase();
  bed = await startFranceConnectTestBed(db, { NEW_DEVICE_CODE: 'on' });
});
afterAll(async () => {
  await bed.close();
  await db.drop();
});

describe('FranceConnect with NEW_DEVICE_CODE=on (ADR 0011)', () => {
  it('asks no code of a FranceConnect login: the provider authenticated the person', async () => {
    const camille = persona('allocataire-migre');
    const b = new MultiOriginBrowser(bed.origin);
    const liaison = await b.loginWithFranceConnect('camille-martin');
    expect(liaison.url.pathname).toBe('/franceconnect/liaison');
    const done = await b.submit('/franceconnect/liaison', { password: camille.password });
    expect(done.url.pathname).toBe('/mon-compte');
    expect(headerNameOf(done.body)).toBe('Camille MARTIN');
    const again = await new MultiOriginBrowser(bed.origin).loginWithFranceConnect('camille-martin');
    expect(again.url.pathname).toBe('/mon-compte');
  });

  it('still asks it of a password login on the same app', async () => {
    const camille = persona('allocataire-migre');
    const b = new MultiOriginBrowser(bed.origin);
    await b.open('/connexion');
    const res = await b.submit('/connexion', { nir: camille.nir, password: camille.password });
    expect(res.url.pathname).toBe('/connexion/code');
  });
});
