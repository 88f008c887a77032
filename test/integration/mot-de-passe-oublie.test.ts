import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { makeNir } from '#src/domain/nir.ts';
import {
  answerFloorChannel,
  isFlooredAnswer,
  type FlooredAnswer,
} from '#src/services/answer-floor.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf, headerNameOf } from '../support/browser.ts';
import { demo, required } from '../support/personas.ts';
import { codeIn, lastMessageTo, waitForDelivery } from '../support/outbox.ts';

const ctx = useTestApp();

const frDate = (iso: string) => iso.split('-').reverse().join('/');
const strip = (html: string) => html.replace(/nonce="[^"]+"/g, '').replace(/value="[^"]*"/g, '');

async function startRecovery(b: TestBrowser, nir: string, birthdate: string) {
  const res = await b.submit('/mot-de-passe-oublie', { nir, birthdate });
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/mot-de-passe-oublie/code');
  return b.get('/mot-de-passe-oublie/code');
}

describe('forgotten password', () => {
  it('answers an unknown NIR, a wrong birth date and a real person exactly alike', async () => {
    const marie = demo('foyer-sans-lien');
    const unknown = makeNir({
      sex: 2,
      birthYear: 1990,
      birthMonth: 1,
      department: '44',
      commune: '109',
      order: 5,
    }).value;
    const pages = [
      await startRecovery(
        new TestBrowser(ctx.app),
        required(marie.nir, 'nir'),
        frDate(marie.birthdate),
      ),
      await startRecovery(new TestBrowser(ctx.app), unknown, '01/01/1990'),
      await startRecovery(new TestBrowser(ctx.app), required(marie.nir, 'nir'), '01/01/1992'),
    ];
    expect(new Set(pages.map((p) => p.statusCode))).toEqual(new Set([200]));
    expect(strip(pages[1]?.body ?? '')).toBe(strip(pages[0]?.body ?? ''));
    expect(strip(pages[2]?.body ?? '')).toBe(strip(pages[0]?.body ?? ''));
    // Three unknown people at once: none is slowed down by the others' wrong codes.
    const wrongCode = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const b = new TestBrowser(ctx.app);
        await startRecovery(b, unknown, `0${String(i + 2)}/01/1990`);
        return b.submit('/mot-de-passe-oublie/code', { code: '123456' });
      }),
    );
    for (const r of wrongCode) expect(r.body).toContain('Code incorrect ou expiré.');
  });

  it('explains bad input by the fields', async () => {
    const b = new TestBrowser(ctx.app);
    const res = await b.submit('/mot-de-passe-oublie', { nir: '123', birthdate: '31/02/1985' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(
      /id="nir-error">Le numéro de sécurité sociale doit comporter 13 caractères/,
    );
    expect(res.body).toMatch(/id="birthdate-error">Saisissez une date de naissance valide/);
  });

  it('resets the password with a code sent to the verified e-mail, revokes the other sessions and notifies', async () => {
    const marie = demo('foyer-sans-lien');
    const nir = required(marie.nir, 'nir');
    const elsewhere = new TestBrowser(ctx.app);
    expect((await elsewhere.login(nir, required(marie.password, 'password'))).statusCode).toBe(303);
    const before = await ctx.pool.query<{ password_changed_at: Date }>(
      'SELECT a.password_changed_at FROM accounts a JOIN persons p ON p.id = a.person_id WHERE p.nir = $1',
      [nir],
    );

    const b = new TestBrowser(ctx.app);
    await startRecovery(b, nir, frDate(marie.birthdate));
    const mail = required(await lastMessageTo(ctx.pool, 'marie.petit@example.fr'), 'e-mail');
    expect(mail.body).toContain('choisir un nouveau mot de passe');
    const verified = await b.submit('/mot-de-passe-oublie/code', { code: codeIn(mail.body) });
    expect(verified.headers.location).toBe('/mot-de-passe-oublie/nouveau-mot-de-passe');
    const weak = await b.submit('/mot-de-passe-oublie/nouveau-mot-de-passe', {
      password: 'faible',
    });
    expect(weak.statusCode).toBe(400);
    // A French common word passes the floor, not zxcvbn: refused with its French advice.
    const french = await b.submit('/mot-de-passe-oublie/nouveau-mot-de-passe', {
      password: 'Bonjour123',
    });
    expect(french.statusCode).toBe(400);
    expect(french.body).toMatch(
      /id="password-error">Ce mot de passe est trop facile à deviner\. Ajoutez des mots moins courants\./,
    );
    const done = await b.submit('/mot-de-passe-oublie/nouveau-mot-de-passe', {
      password: 'Nouveau-Rennes-35',
    });
    expect(done.headers.location).toBe('/mon-compte');
    const arrival = (await b.get('/mon-compte')).body;
    expect(headerNameOf(arrival)).toBe('Marie PETIT');
    // Issue 8: a notice on arrival, once.
    expect(arrival).toContain('Votre mot de passe a été modifié');
    expect((await b.get('/mon-compte')).body).not.toContain('data-confirmation');

    expect((await elsewhere.get('/mon-compte')).statusCode).toBe(303);
    const notice = required(await lastMessageTo(ctx.pool, 'marie.petit@example.fr'), 'notice');
    expect(notice.subject).toBe('Votre mot de passe Mon Compte a été modifié');
    const after = await ctx.pool.query<{ password_changed_at: Date }>(
      'SELECT a.password_changed_at FROM accounts a JOIN persons p ON p.id = a.person_id WHERE p.nir = $1',
      [nir],
    );
    expect(after.rows[0]?.password_changed_at.getTime()).toBeGreaterThan(
      before.rows[0]?.password_changed_at.getTime() ?? 0,
    );
    expect(
      (await new TestBrowser(ctx.app).login(nir, required(marie.password, 'password'))).statusCode,
    ).toBe(401);
    expect((await new TestBrowser(ctx.app).login(nir, 'Nouveau-Rennes-35')).statusCode).toBe(303);
  });

  it('never accepts a contact-validation code to reset a password', async () => {
    const sophie = demo('allocataire-leroy');
    const nir = required(sophie.nir, 'nir');
    const person = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
      nir,
    ]);
    const personId = required(person.rows[0]?.id, 'person');
    // A contact-validation code issued to Sophie, delivered to her, then tried on the reset page.
    const { sendCode } = await import('#src/services/one-time-codes.ts');
    await sendCode(ctx.deps, 'contact-validation', {
      personId,
      channel: 'email',
      destination: 'sophie.leroy@example.fr',
    });
    const contactCode = codeIn(
      required(await lastMessageTo(ctx.pool, 'sophie.leroy@example.fr'), 'mail').body,
    );
    const b = new TestBrowser(ctx.app);
    await startRecovery(b, nir, frDate(sophie.birthdate));
    const recoveryCode = codeIn(
      required(await lastMessageTo(ctx.pool, 'sophie.leroy@example.fr'), 'mail').body,
    );
    if (contactCode === recoveryCode) return; // one chance in a million: nothing to tell apart
    const res = await b.submit('/mot-de-passe-oublie/code', { code: contactCode });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Code incorrect ou expiré.');
  });

  it('voids a code after 5 wrong tries, even if the right one comes next', async () => {
    const antoine = demo('conjoint-avec-delegation');
    const b = new TestBrowser(ctx.app);
    await startRecovery(b, required(antoine.nir, 'nir'), frDate(antoine.birthdate));
    const code = codeIn(
      required(await lastMessageTo(ctx.pool, 'antoine.leroy@example.fr'), 'mail').body,
    );
    const wrong = code === '999999' ? '888888' : '999999';
    for (let i = 0; i < 5; i++) await b.submit('/mot-de-passe-oublie/code', { code: wrong });
    const res = await b.submit('/mot-de-passe-oublie/code', { code });
    expect(res.statusCode).not.toBe(303);
  });

  it('limits the codes sent to 3 an hour for one person', async () => {
    const ines = demo('primo-demandeur');
    const count = async () => {
      await waitForDelivery(ctx.pool);
      return (
        (
          await ctx.pool.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM dev_outbox WHERE recipient = 'ines.benali@example.fr'",
          )
        ).rows[0]?.n ?? 0
      );
    };
    const start = await count();
    const b = new TestBrowser(ctx.app);
    for (let i = 0; i < 3; i++)
      await startRecovery(b, required(ines.nir, 'nir'), frDate(ines.birthdate));
    for (let i = 0; i < 2; i++) await b.submit('/mot-de-passe-oublie/code', { action: 'renvoyer' });
    expect((await count()) - start).toBe(3);
  });

  it('lets a not-yet-migrated person who lost the old password create their account', async () => {
    const karim = demo('conjoint-non-migre');
    const b = new TestBrowser(ctx.app);
    await startRecovery(b, required(karim.nir, 'nir'), frDate(karim.birthdate));
    const mail = required(await lastMessageTo(ctx.pool, 'karim.dubois@example.fr'), 'mail');
    await b.submit('/mot-de-passe-oublie/code', { code: codeIn(mail.body) });
    const done = await b.submit('/mot-de-passe-oublie/nouveau-mot-de-passe', {
      password: 'Vieux-Port-1977',
    });
    expect(done.headers.location).toBe('/mon-compte');
    expect(headerNameOf((await b.get('/mon-compte')).body)).toBe('Karim DUBOIS');
    const verified = await ctx.pool.query<{ email_verified_at: Date | null }>(
      'SELECT email_verified_at FROM persons WHERE nir = $1',
      [karim.nir],
    );
    expect(verified.rows[0]?.email_verified_at).toBeInstanceOf(Date);
  });

  it('sends no code to a child without an account', async () => {
    const lea = demo('enfant-16');
    const b = new TestBrowser(ctx.app);
    const page = await startRecovery(b, required(lea.nir, 'nir'), frDate(lea.birthdate));
    expect(page.statusCode).toBe(200);
    const r = await ctx.pool.query(
      'SELECT 1 FROM one_time_codes c JOIN persons p ON p.id = c.person_id WHERE p.nir = $1',
      [lea.nir],
    );
    expect(r.rowCount).toBe(0);
  });

  it('answers "Renvoyer un code" alike, under the same floor, whether or not anyone matched', async () => {
    const sophie = demo('allocataire-leroy');
    const nir = required(sophie.nir, 'nir');
    // A contact on file that cannot be sent to: the send fails, and that must not show.
    await ctx.pool.query(
      "UPDATE persons SET email = 'adresse invalide', phone = NULL, email_verified_at = now() WHERE nir = $1",
      [nir],
    );
    const floors: FlooredAnswer[] = [];
    const record = (message: unknown) => {
      if (isFlooredAnswer(message) && message.name === 'recovery-resend') floors.push(message);
    };
    subscribe(answerFloorChannel.name, record);
    try {
      const matched = new TestBrowser(ctx.app);
      await startRecovery(matched, nir, frDate(sophie.birthdate));
      const nobody = new TestBrowser(ctx.app);
      await startRecovery(nobody, nir, '01/01/1990');
      const answers = [];
      for (const b of [matched, nobody]) {
        const page = await b.get('/mot-de-passe-oublie/code');
        answers.push(
          await b.post('/mot-de-passe-oublie/code', {
            _csrf: csrfTokenOf(page.body),
            action: 'renvoyer',
          }),
        );
      }
      const [a, n] = answers;
      expect(a?.statusCode).toBe(200);
      expect(n?.statusCode).toBe(200);
      expect(strip(a?.body ?? '')).toBe(strip(n?.body ?? ''));
      expect(floors.map((f) => f.floorMs)).toEqual([400, 400]);
    } finally {
      unsubscribe(answerFloorChannel.name, record);
    }
  });
});
