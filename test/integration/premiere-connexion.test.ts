import { describe, expect, it } from 'vitest';
import { sendCode } from '#src/services/one-time-codes.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, headerNameOf } from '../support/browser.ts';
import { demo, required } from '../support/personas.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';

const ctx = useTestApp();

const nathalie = demo('allocataire-non-migre');
const karim = demo('conjoint-non-migre');
const NEW_PASSWORD = 'Theatre-Lille-59';

async function personId(nir: string): Promise<string> {
  const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [nir]);
  return required(r.rows[0]?.id, 'person');
}

async function withOldPassword(key: typeof nathalie): Promise<TestBrowser> {
  const b = new TestBrowser(ctx.app);
  const res = await b.login(required(key.nir, 'nir'), required(key.legacyPassword, 'legacy'));
  expect(res.statusCode).toBe(303);
  expect(res.headers.location).toBe('/premiere-connexion');
  return b;
}

describe('first connection with the old 8-digit dossier password', () => {
  it('refuses a wrong old password with the generic message and a hint', async () => {
    const res = await new TestBrowser(ctx.app).login(required(nathalie.nir, 'nir'), '12345678');
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Numéro de sécurité sociale ou mot de passe incorrect.');
    expect(res.body).toContain('ne sert plus que pour le téléphone');
  });

  it('opens no session before the journey is complete', async () => {
    const b = await withOldPassword(nathalie);
    expect((await b.get('/mon-compte')).statusCode).toBe(303);
    expect((await b.get('/premiere-connexion')).statusCode).toBe(200);
  });

  it.each([
    ['court1A', 'au moins 8 caractères'],
    ['motdepasse2026', 'au moins 1 lettre majuscule'],
    ['MOTDEPASSE2026', 'au moins 1 lettre minuscule'],
    ['Motdepassesanschiffre', 'au moins 1 chiffre'],
    ['Abcdefghijklmnopqrstuvwxy1', 'au plus 24 caractères'],
    ['Nath21071979', 'votre date de naissance'],
    [`N${required(nathalie.nir, 'nir').slice(0, 8)}a`, 'numéro de sécurité sociale'],
    ['Password1', 'trop facile à deviner'],
    // French words and the person's own data, with zxcvbn's French advice (issue 8).
    ['Motdepasse1', 'trop facile à deviner\\. Ajoutez des mots moins courants\\.'],
    ['Soleil123', 'trop facile à deviner\\. Ajoutez des mots moins courants\\.'],
    ['Nathalie1979', 'trop facile à deviner'],
    ['', 'Saisissez un mot de passe.'],
  ])('explains a refused new password %j by the field', async (password, message) => {
    const b = await withOldPassword(nathalie);
    const res = await b.submit('/premiere-connexion', { password });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="error-summary"');
    expect(res.body).toMatch(new RegExp(`id="password-error">[^<]*${message}`));
  });

  it('lists each broken rule as its own bullet, by the field and in the summary', async () => {
    const b = await withOldPassword(nathalie);
    const res = await b.submit('/premiere-connexion', { password: 'abcdef' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      'id="password-error">Votre mot de passe ne respecte pas ces règles\u00a0:</p>',
    );
    const items = /id="password-error-items">([\s\S]*?)<\/ul>/.exec(res.body)?.[1] ?? '';
    expect([...items.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1])).toEqual([
      'Votre mot de passe doit contenir au moins 8 caractères.',
      'Votre mot de passe doit contenir au moins 1 lettre majuscule.',
      'Votre mot de passe doit contenir au moins 1 chiffre.',
    ]);
    const summary = /id="error-summary"[\s\S]*?<\/div>/.exec(res.body)?.[0] ?? '';
    expect(summary.match(/<li>Votre mot de passe doit contenir/g)).toHaveLength(3);
  });

  it('creates the personal account, validates an e-mail by code and lands on the dossier', async () => {
    const b = await withOldPassword(nathalie);
    const chosen = await b.submit('/premiere-connexion', { password: NEW_PASSWORD });
    expect(chosen.headers.location).toBe('/premiere-connexion/coordonnees');
    const account = await ctx.pool.query<{ password_changed_at: Date }>(
      'SELECT password_changed_at FROM accounts WHERE person_id = $1',
      [await personId(required(nathalie.nir, 'nir'))],
    );
    expect(account.rows[0]?.password_changed_at).toBeInstanceOf(Date);

    const contactPage = await b.get('/premiere-connexion/coordonnees');
    expect(contactPage.body).toContain('value="nathalie.dubois@example.fr"');
    const sent = await b.submit('/premiere-connexion/coordonnees', {
      channel: 'email',
      email: 'Nathalie.Dubois@example.fr',
    });
    expect(sent.headers.location).toBe('/premiere-connexion/code');
    const mail = required(await lastMessageTo(ctx.pool, 'nathalie.dubois@example.fr'), 'e-mail');
    expect(mail.body).toContain('valider vos coordonnées');

    const wrong = await b.submit('/premiere-connexion/code', {
      code: codeIn(mail.body) === '000000' ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Code incorrect ou expiré.');

    const done = await b.submit('/premiere-connexion/code', { code: codeIn(mail.body) });
    expect(done.headers.location).toBe('/mon-compte');
    const page = await b.get('/mon-compte');
    expect(headerNameOf(page.body)).toBe('Nathalie DUBOIS');
    expect(page.body).toContain('data-confirmation="premiere-connexion"');
    // Issue 8: a notice on arrival, once.
    expect((await b.get('/mon-compte')).body).not.toContain('data-confirmation');
    expect(page.body).toContain('Numéro allocataire 2345678');
    const person = await ctx.pool.query<{ email_verified_at: Date | null }>(
      'SELECT email_verified_at FROM persons WHERE nir = $1',
      [nathalie.nir],
    );
    expect(person.rows[0]?.email_verified_at).toBeInstanceOf(Date);

    // From now on only the new password opens the web account; the old one stays for the phone.
    expect(
      (
        await new TestBrowser(ctx.app).login(
          required(nathalie.nir, 'nir'),
          required(nathalie.legacyPassword, 'legacy'),
        )
      ).statusCode,
    ).toBe(401);
    expect(
      (await new TestBrowser(ctx.app).login(required(nathalie.nir, 'nir'), NEW_PASSWORD))
        .statusCode,
    ).toBe(303);
    const dossier = await ctx.pool.query<{ legacy_password_hash: string }>(
      "SELECT legacy_password_hash FROM dossiers WHERE number = '2345678'",
    );
    expect(dossier.rows[0]?.legacy_password_hash).toMatch(/^\$argon2id\$/);
  });

  it('gives the conjoint who knows the dossier password an account of their own', async () => {
    const b = await withOldPassword(karim);
    await b.submit('/premiere-connexion', { password: 'Marseille-1977-K' });
    await b.submit('/premiere-connexion/coordonnees', { channel: 'sms', phone: '06 45 67 89 01' });
    const sms = required(await lastMessageTo(ctx.pool, '06 45 67 89 01', 'sms'), 'SMS');
    const done = await b.submit('/premiere-connexion/code', { code: codeIn(sms.body) });
    expect(done.headers.location).toBe('/mon-compte');
    const page = await b.get('/mon-compte');
    expect(headerNameOf(page.body)).toBe('Karim DUBOIS');
    const accounts = await ctx.pool.query<{ given_name: string }>(
      `SELECT p.given_name FROM accounts a JOIN persons p ON p.id = a.person_id
         JOIN dossier_members m ON m.person_id = p.id JOIN dossiers d ON d.id = m.dossier_id
        WHERE d.number = '2345678' ORDER BY p.given_name`,
    );
    expect(accounts.rows.map((r) => r.given_name)).toEqual(['Karim', 'Nathalie']);
  });

  it('refuses the old password to a child of the dossier (no first connection for them)', async () => {
    const nolan = demo('enfant-dubois');
    const res = await new TestBrowser(ctx.app).login(required(nolan.nir, 'nir'), '48201736');
    expect(res.statusCode).toBe(401);
  });

  it('refuses a contact-validation code that expired, or that was already used', async () => {
    const julien = demo('conjoint-sans-delegation');
    // A migrated account whose contact was never validated is sent to the contact step.
    await ctx.pool.query('UPDATE persons SET email_verified_at = NULL WHERE nir = $1', [
      julien.nir,
    ]);
    const b = new TestBrowser(ctx.app);
    const login = await b.login(required(julien.nir, 'nir'), required(julien.password, 'password'));
    expect(login.headers.location).toBe('/premiere-connexion/coordonnees');
    await b.submit('/premiere-connexion/coordonnees', {
      channel: 'email',
      email: 'julien.martin@example.fr',
    });
    const code = codeIn(
      required(await lastMessageTo(ctx.pool, 'julien.martin@example.fr'), 'mail').body,
    );
    await ctx.pool.query(
      "UPDATE one_time_codes SET expires_at = now() - interval '1 second' WHERE destination = 'julien.martin@example.fr'",
    );
    expect((await b.submit('/premiere-connexion/code', { code })).statusCode).toBe(400);

    await b.submit('/premiere-connexion/coordonnees', {
      channel: 'email',
      email: 'julien.martin@example.fr',
    });
    const fresh = codeIn(
      required(await lastMessageTo(ctx.pool, 'julien.martin@example.fr'), 'mail').body,
    );
    expect((await b.submit('/premiere-connexion/code', { code: fresh })).headers.location).toBe(
      '/mon-compte',
    );

    // A used code never works again, even in a new journey of the same person.
    await ctx.pool.query('UPDATE persons SET email_verified_at = NULL WHERE nir = $1', [
      julien.nir,
    ]);
    const again = new TestBrowser(ctx.app);
    await again.login(required(julien.nir, 'nir'), required(julien.password, 'password'));
    await again.submit('/premiere-connexion/coordonnees', {
      channel: 'email',
      email: 'julien.martin@example.fr',
    });
    const reuse = await again.submit('/premiere-connexion/code', { code: fresh });
    expect(reuse.statusCode).toBe(400);
    expect(reuse.body).toContain('Code incorrect ou expiré.');
  });

  it('verifies only the contact this journey shows, not one a code was sent to elsewhere', async () => {
    const sophie = demo('allocataire-leroy');
    const nir = required(sophie.nir, 'nir');
    // A migrated account whose contacts were never validated is sent to the contact step.
    await ctx.pool.query(
      'UPDATE persons SET email_verified_at = NULL, phone_verified_at = NULL WHERE nir = $1',
      [nir],
    );
    const b = new TestBrowser(ctx.app);
    const login = await b.login(nir, required(sophie.password, 'password'));
    expect(login.headers.location).toBe('/premiere-connexion/coordonnees');
    await b.submit('/premiere-connexion/coordonnees', {
      channel: 'email',
      email: 'sophie.affichee@example.fr',
    });
    // Another tab (its flow step lost the race) had a code sent to another contact: the latest.
    const id = await personId(nir);
    await sendCode(ctx.deps, 'contact-validation', {
      personId: id,
      channel: 'sms',
      destination: '06 11 22 33 44',
    });
    const sms = required(await lastMessageTo(ctx.pool, '06 11 22 33 44', 'sms'), 'SMS');
    const res = await b.submit('/premiere-connexion/code', { code: codeIn(sms.body) });
    expect(res.headers.location).not.toBe('/mon-compte');
    const person = await ctx.pool.query<{ phone: string | null; verified: Date | null }>(
      'SELECT phone, phone_verified_at AS verified FROM persons WHERE id = $1',
      [id],
    );
    expect(person.rows[0]?.verified ?? null).toBeNull();
    const sessions = await ctx.pool.query(
      'SELECT 1 FROM sessions WHERE person_id = $1 AND revoked_at IS NULL',
      [id],
    );
    expect(sessions.rowCount).toBe(0);
  });

  it('explains a bad contact by the field', async () => {
    const julien = demo('conjoint-sans-delegation');
    await ctx.pool.query(
      'UPDATE persons SET email_verified_at = NULL, phone_verified_at = NULL WHERE nir = $1',
      [julien.nir],
    );
    const j = new TestBrowser(ctx.app);
    await j.login(required(julien.nir, 'nir'), required(julien.password, 'password'));
    const badMail = await j.submit('/premiere-connexion/coordonnees', {
      channel: 'email',
      email: 'pas-une-adresse',
    });
    expect(badMail.statusCode).toBe(400);
    expect(badMail.body).toMatch(/id="email-error">Saisissez une adresse électronique valide/);
    const badPhone = await j.submit('/premiere-connexion/coordonnees', {
      channel: 'sms',
      phone: '01 23 45 67 89',
    });
    expect(badPhone.statusCode).toBe(400);
    expect(badPhone.body).toMatch(/id="phone-error">Saisissez un numéro de téléphone mobile/);
    const noChannel = await j.submit('/premiere-connexion/coordonnees', {});
    expect(noChannel.statusCode).toBe(400);
    expect(noChannel.body).toContain('Choisissez comment recevoir votre code.');
  });
});
