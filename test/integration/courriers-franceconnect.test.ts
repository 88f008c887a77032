import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/app.ts';
import { csrfTokenOf } from '../support/browser.ts';
import {
  MultiOriginBrowser,
  startFranceConnectTestBed,
  type FranceConnectTestBed,
  type Page,
} from '../support/franceconnect.ts';
import { persona, required } from '../support/personas.ts';

let db: TestDatabase;
let bed: FranceConnectTestBed;

beforeAll(async () => {
  db = await createTestDatabase();
  bed = await startFranceConnectTestBed(db);
});
afterAll(async () => {
  await bed.close();
  await db.drop();
});

const LRE = 'Notification d’un trop-perçu d’aide au logement';

async function franceConnectLogin(b: MultiOriginBrowser, plus: boolean): Promise<Page> {
  const page = await b.loginWithFranceConnect('camille-martin', plus);
  if (page.url.pathname !== '/franceconnect/liaison') return page;
  return b.submit('/franceconnect/liaison', { password: persona('allocataire-migre').password });
}

describe('an LRE and FranceConnect+', () => {
  it('asks for FranceConnect+ after a plain FranceConnect login, opens after it, and records how', async () => {
    const r = await db.pool.query<{ id: string }>('SELECT id FROM letters WHERE subject = $1', [
      LRE,
    ]);
    const id = required(r.rows[0]?.id, 'LRE');
    const b = new MultiOriginBrowser(bed.origin);
    await franceConnectLogin(b, false);

    const step = await b.open(`/mon-compte/courriers/${id}`);
    expect(step.url.pathname).toBe(`/mon-compte/courriers/${id}/verification`);
    expect(step.body).toContain('class="fr-connect fr-connect--plus"');
    expect(step.body).toContain('name="retour" value="courriers"');

    const provider = await b.open('/franceconnect/connexion', {
      form: { _csrf: csrfTokenOf(step.body), niveau: 'franceconnect-plus', retour: 'courriers' },
    });
    const back = await b.chooseIdentity(provider, 'camille-martin');
    if ('stopped' in back) throw new Error('stopped');
    expect(back.url.pathname).toBe('/mon-compte/courriers');

    const pdf = await b.request(new URL(`/mon-compte/courriers/${id}`, bed.origin));
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const receipts = await db.pool.query<{ method: string }>(
      'SELECT method FROM letter_receipts WHERE letter_id = $1',
      [id],
    );
    expect(receipts.rows).toEqual([{ method: 'franceconnect-plus' }]);
    const list = await b.open('/mon-compte/courriers');
    expect(list.body).toContain('(identité confirmée par FranceConnect+)');
  });
});
