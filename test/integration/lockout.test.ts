import { describe, expect, it } from 'vitest';
import { accountRules } from '#src/domain/throttle.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, headerNameOf, type Reply } from '../support/browser.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';
import { demo, required } from '../support/personas.ts';

// The services' clock, moved by the tests instead of waiting out real delays.
let clock = Date.parse('2026-11-23T08:00:00Z');
const now = () => new Date(clock);
const later = (ms: number) => {
  clock += ms;
};

const ctx = useTestApp({}, { now });

const frDate = (iso: string) => iso.split('-').reverse().join('/');
const deviceCookie = (b: TestBrowser) => b.cookies.get('moncompte-appareil');

/** A browser of its own, from its own address. */
function browser(address: string): TestBrowser {
  return new TestBrowser(ctx.app, { remoteAddress: address });
}

/**
 * A patient guesser: one wrong password after another, waiting out each delay as soon as the
 * rule allows, until `tries` were evaluated or the account is refused for good (locked).
 */
async function guess(b: TestBrowser, nir: string, tries: number): Promise<number[]> {
  const statuses: number[] = [];
  let waits = 0;
  while (statuses.filter((s) => s === 401).length < tries && waits < 40) {
    later(1_000);
    const res = await b.login(nir, `Devinette-${String(statuses.length)}-${String(waits)}`);
    if (res.statusCode === 429) {
      waits++;
      later(30_000);
      if (waits > 20) break;
      continue;
    }
    statuses.push(res.statusCode);
  }
  return statuses;
}

/** The owner's device: one successful login, then logged out (the device cookie stays). */
async function knownDevice(address: string, nir: string, password: string): Promise<TestBrowser> {
  const b = browser(address);
  const res = await b.login(nir, password);
  expect(res.statusCode).toBe(303);
  const setCookie = [res.headers['set-cookie']].flat().join('\n');
  expect(setCookie).toMatch(/moncompte-appareil=[^;]+;.*Max-Age=15552000/);
  expect(setCookie).toMatch(/moncompte-appareil=[^\n]*HttpOnly/);
  expect(setCookie).toMatch(/moncompte-appareil=[^\n]*SameSite=Strict/);
  await b.logout();
  expect(deviceCookie(b)).toBeDefined();
  return b;
}

describe('a stranger cannot lock the owner out (ADR 0008)', () => {
  const camille = demo('allocataire-migre');
  const nir = required(camille.nir, 'nir');
  const password = required(camille.password, 'password');

  it('refuses unknown devices after 10 failures, and lets the owner in from a known device', async () => {
    const home = await knownDevice('192.0.2.10', nir, password);
    const stranger = browser('198.51.100.66');
    const failures = await guess(stranger, nir, 12);
    const evaluated = failures.length;
    console.log(
      `stranger, no device cookie: ${String(evaluated)} wrong passwords evaluated before the lock (bound ${String(accountRules.password.lockAfter)})`,
    );
    expect(evaluated).toBe(accountRules.password.lockAfter);

    // Further unknown-device tries are refused, even the right password from a new device.
    later(60_000);
    const strangerAgain = await stranger.login(nir, 'Encore-Une-Fois-1');
    expect(strangerAgain.statusCode).toBe(429);
    const newDevice = await browser('203.0.113.7').login(nir, password);
    expect(newDevice.statusCode).toBe(429);
    expect(newDevice.body).toContain('Trop de tentatives. Par sécurité, réessayez à partir de');

    // The owner's device is neither counted with them nor locked by them.
    const owner = await home.login(nir, password);
    expect(owner.statusCode).toBe(303);
    expect(headerNameOf((await home.get('/mon-compte')).body)).toBe('Camille MARTIN');
    // Inside her session, typing the password again (strong authentication) is not locked either.
    const bank = '/mon-compte/coordonnees-bancaires';
    const stepUp = await home.submit(bank, { password }, `${bank}/verification`);
    expect(stepUp.statusCode).toBe(303);
    expect(stepUp.headers.location).toBe(`${bank}/code`);
    await home.logout();
  });

  it('lets the owner on a new device, still locked out, recover by a code to her verified contact', async () => {
    const cafe = browser('203.0.113.8');
    const refused = await cafe.login(nir, password);
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('«\u00a0Mot de passe oublié\u00a0?\u00a0»');

    const start = await cafe.submit('/mot-de-passe-oublie', {
      nir,
      birthdate: frDate(camille.birthdate),
    });
    expect(start.headers.location).toBe('/mot-de-passe-oublie/code');
    const mail = required(await lastMessageTo(ctx.pool, 'camille.martin@example.fr'), 'code');
    const verified = await cafe.submit('/mot-de-passe-oublie/code', { code: codeIn(mail.body) });
    expect(verified.headers.location).toBe('/mot-de-passe-oublie/nouveau-mot-de-passe');
    const done = await cafe.submit('/mot-de-passe-oublie/nouveau-mot-de-passe', {
      password: 'Rouvert-Paris-2026',
    });
    expect(done.headers.location).toBe('/mon-compte');
    expect(headerNameOf((await cafe.get('/mon-compte')).body)).toBe('Camille MARTIN');
  });
});

describe('a device cookie has its own bounded budget', () => {
  const marie = demo('foyer-sans-lien');
  const nir = required(marie.nir, 'nir');
  const password = required(marie.password, 'password');

  it('locks a device that fails too often, without touching the unknown devices’ budget', async () => {
    later(2 * 3_600_000);
    const laptop = await knownDevice('192.0.2.20', nir, password);
    const failures = await guess(laptop, nir, 12);
    console.log(
      `known device: ${String(failures.length)} wrong passwords evaluated before its own lock`,
    );
    expect(failures.length).toBe(accountRules.password.lockAfter);
    later(60_000);
    const right: Reply = await laptop.login(nir, password);
    expect(right.statusCode).toBe(429);
    // The other devices were not counted with it: a new one with the right password gets in.
    expect((await browser('192.0.2.21').login(nir, password)).statusCode).toBe(303);
  });

  it('names one account: a device cookie of another account counts as an unknown device', async () => {
    later(2 * 3_600_000);
    const sophie = demo('allocataire-leroy');
    const sophieNir = required(sophie.nir, 'nir');
    // A stranger with an account of her own, whose browser is a known device of that account.
    const stranger = await knownDevice(
      '198.51.100.77',
      required(marie.nir, 'nir'),
      required(marie.password, 'password'),
    );
    const failures = await guess(stranger, sophieNir, 12);
    expect(failures.length).toBe(accountRules.password.lockAfter);
    expect((await browser('203.0.113.9').login(sophieNir, 'x')).statusCode).toBe(429);
    // A forged cookie is no known device either.
    const forger = browser('198.51.100.78');
    forger.cookies.set(
      'moncompte-appareil',
      required(deviceCookie(stranger), 'cookie').replace(/.!/, 'A!'),
    );
    expect((await forger.login(sophieNir, required(sophie.password, 'password'))).statusCode).toBe(
      429,
    );
  });
});
