import { describe, expect, it } from 'vitest';
import { buildApp } from '#src/app.ts';
import { loadConfig } from '#src/config.ts';
import {
  ChannelUnavailableError,
  InvalidRecipientError,
  createNotifier,
  outboxTransport,
} from '#src/notifications/notifier.ts';
import { startDevelopmentSmtpCatcher, startSmtpCatcher } from '#src/notifications/smtp-catcher.ts';
import { buildDeps } from '#src/services/deps.ts';
import { createTestApp, useTestApp } from '../support/app.ts';
import { TestBrowser } from '../support/browser.ts';
import { INJECT_PUBLIC_URL, TEST_SESSION_KEY } from '../support/config.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';

const ctx = useTestApp();

const frenchText = [
  'Bonjour Camille,',
  '',
  'Voici votre code de validation : 482913.',
  'Il expire dans 15 minutes. Ne le communiquez à personne, même à un agent de la Caf.',
  'Accents et signes : é è ê à ù ç œ « guillemets » – 12 € — Noël, Zoë, Françoise.',
  `Une ligne très longue pour le quoted-printable : ${'éàç '.repeat(40)}fin.`,
  '',
  'La Caf',
].join('\n');

describe('e-mail over SMTP into the development outbox', () => {
  it('arrives over real SMTP with subject and body intact, accents included', async () => {
    await ctx.deps.notifier.send({
      channel: 'email',
      to: 'Camille.Martin@Exemple.fr',
      subject: 'Votre code de validation – Mon Compte (Caf) : ça expire bientôt',
      text: frenchText,
    });
    const message = await lastMessageTo(ctx.pool, 'camille.martin@exemple.fr', 'email');
    expect(message?.recipient).toBe('camille.martin@exemple.fr');
    expect(message?.subject).toBe(
      'Votre code de validation – Mon Compte (Caf) : ça expire bientôt',
    );
    expect(message?.body.trimEnd()).toBe(frenchText);
    expect(codeIn(message?.body ?? '')).toBe('482913');
    // The helper also finds it with the address as typed.
    expect((await lastMessageTo(ctx.pool, 'Camille.Martin@Exemple.fr'))?.id).toBe(message?.id);
  });

  it('refuses anything but one bare address, sending nothing', async () => {
    for (const to of ['a@exemple.fr, b@exemple.fr', 'Nom <a@exemple.fr>', 'sans-arobase', ' ']) {
      await expect(
        ctx.deps.notifier.send({ channel: 'email', to, subject: 'x', text: 'x' }),
      ).rejects.toBeInstanceOf(InvalidRecipientError);
    }
    expect(await lastMessageTo(ctx.pool, 'a@exemple.fr')).toBeNull();
  });

  it('says clearly when no SMTP server is configured', async () => {
    const notifier = createNotifier({
      smtpUrl: undefined,
      mailFrom: 'Mon Compte <ne-pas-repondre@moncompte.localhost>',
      sms: outboxTransport(ctx.pool, 'sms'),
      courrier: outboxTransport(ctx.pool, 'courrier'),
    });
    await expect(
      notifier.send({ channel: 'email', to: 'x@exemple.fr', subject: 's', text: 't' }),
    ).rejects.toBeInstanceOf(ChannelUnavailableError);
    await notifier.close();
  });

  it('listens on loopback only, on the real port when asked for port 0', async () => {
    await expect(startSmtpCatcher({ port: 0, host: '0.0.0.0', db: ctx.pool })).rejects.toThrow(
      /local/,
    );
    const catcher = await startSmtpCatcher({ port: 0, db: ctx.pool });
    expect(catcher.port).toBeGreaterThan(0);
    expect(catcher.url).toBe(`smtp://127.0.0.1:${catcher.port}`);
    await catcher.close();
  });

  it('moves to a free port when the preferred one is taken, and says so', async () => {
    const first = await startSmtpCatcher({ port: 0, db: ctx.pool });
    const second = await startDevelopmentSmtpCatcher({ preferredPort: first.port, db: ctx.pool });
    expect(second.movedFrom).toBe(first.port);
    expect(second.port).not.toBe(first.port);
    const notifier = createNotifier({
      smtpUrl: second.url,
      mailFrom: 'Mon Compte <ne-pas-repondre@moncompte.localhost>',
      sms: outboxTransport(ctx.pool, 'sms'),
      courrier: outboxTransport(ctx.pool, 'courrier'),
    });
    await notifier.send({ channel: 'email', to: 'repli@exemple.fr', subject: 'Repli', text: 'ok' });
    expect((await lastMessageTo(ctx.pool, 'repli@exemple.fr', 'email'))?.body.trim()).toBe('ok');
    await notifier.close();
    await second.close();
    await first.close();
  });
});

describe('SMS and postal letters in development', () => {
  it('writes an SMS to the outbox', async () => {
    await ctx.deps.notifier.send({
      channel: 'sms',
      to: '+33612345678',
      subject: 'Code de récupération',
      text: 'Mon Compte Caf : votre code est 736201. Il expire dans 15 minutes.',
    });
    const sms = await lastMessageTo(ctx.pool, '+33612345678', 'sms');
    expect(sms?.channel).toBe('sms');
    expect(sms?.subject).toBe('Code de récupération');
    expect(codeIn(sms?.body ?? '')).toBe('736201');
  });

  it('writes a postal letter to the outbox, address lines kept', async () => {
    const address = 'Mme Nathalie DUBOIS\n12 rue des Lilas\n75011 PARIS';
    await ctx.deps.notifier.send({
      channel: 'courrier',
      to: address,
      subject: 'Votre code d’activation',
      text: 'Madame,\n\nVotre code d’activation est 550812.\n',
    });
    const letter = await lastMessageTo(ctx.pool, address, 'courrier');
    expect(letter?.recipient).toBe(address);
    expect(codeIn(letter?.body ?? '')).toBe('550812');
  });
});

describe('the development outbox page', () => {
  it('lists the messages, newest first, escaped, in a captioned DSFR table', async () => {
    await ctx.deps.notifier.send({
      channel: 'email',
      to: 'page@exemple.fr',
      subject: 'Premier <b>courriel</b>',
      text: 'Corps <script>alert(1)</script> du premier',
    });
    await ctx.deps.notifier.send({
      channel: 'sms',
      to: '0700000000',
      subject: 'Second',
      text: 'SMS envoyé après le courriel',
    });
    const res = await new TestBrowser(ctx.app).get('/developpement/messages');
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.body).toContain('<title>Messages envoyés (développement)');
    expect(res.body).toContain('<h1>Messages envoyés (développement)</h1>');
    expect(res.body).toMatch(/<caption[^>]*>Derniers messages envoyés<\/caption>/);
    expect(res.body).toContain('Premier &lt;b&gt;courriel&lt;/b&gt;');
    expect(res.body).toContain('Corps &lt;script&gt;alert(1)&lt;/script&gt; du premier');
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('12 rue des Lilas<br>75011 PARIS');
    expect(res.body.indexOf('SMS envoyé après le courriel')).toBeLessThan(
      res.body.indexOf('du premier'),
    );
    expect(res.body.indexOf('du premier')).toBeLessThan(res.body.indexOf('482913'));
    expect(res.body).toContain('<td>Courriel</td>');
    expect(res.body).toContain('<td>SMS</td>');
    expect(res.body).toContain('<td>Courrier</td>');
  });

  it('shows at most the last 50 messages', async () => {
    for (let i = 0; i < 55; i += 1) {
      await ctx.deps.notifier.send({
        channel: 'sms',
        to: '0611111111',
        subject: `Lot ${i}`,
        text: `message numéro ${i}`,
      });
    }
    const res = await new TestBrowser(ctx.app).get('/developpement/messages');
    expect(res.body.match(/data-outbox-message/g)).toHaveLength(50);
    expect(res.body).toContain('message numéro 54<');
    expect(res.body).not.toContain('message numéro 4<');
  });

  it('does not exist in production, where SMS and letters refuse to pretend', async () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: ctx.db.url,
      SESSION_KEYS: TEST_SESSION_KEY,
      SMTP_URL: ctx.db.smtpUrl,
      PUBLIC_URL: INJECT_PUBLIC_URL,
      LOG_LEVEL: 'silent',
    });
    const services = await buildDeps(config, ctx.pool);
    const app = await buildApp(services);
    const res = await app.inject({ method: 'GET', url: '/developpement/messages' });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Messages envoyés');
    await expect(
      services.notifier.send({ channel: 'sms', to: '0612345678', subject: 's', text: 't' }),
    ).rejects.toBeInstanceOf(ChannelUnavailableError);
    await expect(
      services.notifier.send({ channel: 'courrier', to: 'Adresse', subject: 's', text: 't' }),
    ).rejects.toBeInstanceOf(ChannelUnavailableError);
    expect(await lastMessageTo(ctx.pool, '0612345678', 'sms')).toBeNull();
    await services.notifier.close();
    await app.close();
  });

  it('exists in development too', async () => {
    const dev = await createTestApp(ctx.db, { NODE_ENV: 'development', LOG_LEVEL: 'silent' });
    const res = await new TestBrowser(dev.app).get('/developpement/messages');
    expect(res.statusCode).toBe(200);
    await dev.app.close();
  });
});
