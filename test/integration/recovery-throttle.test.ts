import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { makeNir } from '#src/domain/nir.ts';
import { accountRules, addressRules, maxAttemptsIn } from '#src/domain/throttle.ts';
import {
  answerFloorChannel,
  isFlooredAnswer,
  type FlooredAnswer,
} from '#src/services/answer-floor.ts';
import { RECOVERY_ANSWER_MS } from '#src/services/recovery.ts';
import { useTestApp } from '../support/app.ts';
import { TestBrowser, csrfTokenOf, type Reply } from '../support/browser.ts';
import { codeIn, lastMessageTo } from '../support/outbox.ts';
import { demo, required } from '../support/personas.ts';

let clock = Date.parse('2026-11-23T08:00:00Z');
const now = () => new Date(clock);
const later = (ms: number) => {
  clock += ms;
};
// Each scenario in its own hour, so that no window of one spills into the next.
const nextHour = () => {
  later(2 * 3_600_000);
};

const ctx = useTestApp({}, { now });

let addresses = 0;
/** A browser from an address of its own, so that only the throttle under test can bite. */
const browser = (address = `10.13.0.${String(++addresses % 250)}`) =>
  new TestBrowser(ctx.app, { remoteAddress: address });

const frDate = (iso: string) => iso.split('-').reverse().join('/');
const strip = (html: string) => html.replace(/nonce="[^"]+"/g, '').replace(/value="[^"]*"/g, '');
const cookieNames = (r: Reply) => r.cookies.map((c) => c.name).sort();
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
let order = 0;
const unknownNir = () =>
  makeNir({
    sex: 1,
    birthYear: 1971,
    birthMonth: 6,
    department: '69',
    commune: '123',
    order: 100 + ++order,
  }).value;

const marie = demo('foyer-sans-lien');
const amadou = demo('identifiant-provisoire');
const nirForm = (nir: string, birthdate: string) => ({
  url: '/mot-de-passe-oublie',
  form: { nir, birthdate },
});
const provisionalForm = (identifiant: string, birthdate: string) => ({
  url: '/identifiant-provisoire/mot-de-passe-oublie',
  form: { identifiant, birthdate },
});

/** The code of the message that arrives after `previous` (the SMTP listener stores it a bit later). */
async function newCodeFor(recipient: string, previous: string | undefined): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const mail = await lastMessageTo(ctx.pool, recipient);
    if (mail && mail.id !== previous) return codeIn(mail.body);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no new message to ${recipient}`);
}

/** The first step, timed from the POST alone, then the page it leads to. */
async function recover(b: TestBrowser, step: { url: string; form: Record<string, string> }) {
  const page = await b.get(step.url);
  const started = performance.now();
  const res = await b.post(step.url, { _csrf: csrfTokenOf(page.body), ...step.form });
  const ms = performance.now() - started;
  const next = res.statusCode === 303 ? await b.get(String(res.headers.location)) : null;
  return { res, ms, next };
}

describe('"Mot de passe oublié ?" gives the same answer whether or not the person exists', () => {
  it('same status, redirect, cookie names and page, for a NIR and a provisional identifier', async () => {
    nextHour();
    const cases = [
      [
        nirForm(required(marie.nir, 'nir'), frDate(marie.birthdate)),
        nirForm(unknownNir(), '12/06/1971'),
        nirForm(required(marie.nir, 'nir'), '01/01/1992'),
      ],
      [
        provisionalForm(required(amadou.provisionalId, 'id'), frDate(amadou.birthdate)),
        provisionalForm('P2026999999', frDate(amadou.birthdate)),
        provisionalForm(required(amadou.provisionalId, 'id'), '02/02/1990'),
      ],
    ];
    for (const [existing, ...others] of cases) {
      const a = await recover(browser(), required(existing, 'case'));
      expect(a.res.statusCode).toBe(303);
      expect(a.res.headers.location).toBe('/mot-de-passe-oublie/code');
      for (const other of others) {
        const b = await recover(browser(), other);
        expect(b.res.statusCode).toBe(a.res.statusCode);
        expect(b.res.headers.location).toBe(a.res.headers.location);
        expect(cookieNames(b.res)).toEqual(cookieNames(a.res));
        expect(b.next?.statusCode).toBe(200);
        expect(strip(b.next?.body ?? '')).toBe(strip(a.next?.body ?? 'none'));
      }
    }
  });

  it('answers wrong codes alike: no key shared by every unknown person', async () => {
    nextHour();
    // Someone else's failed recovery of an unknown person comes first (it used to share a key).
    const other = browser();
    await recover(other, nirForm(unknownNir(), '12/06/1971'));
    for (let i = 0; i < 3; i++) await other.submit('/mot-de-passe-oublie/code', { code: '000000' });
    later(1_000);

    const sophie = demo('allocataire-leroy');
    const statusesOf = async (step: { url: string; form: Record<string, string> }) => {
      const b = browser();
      await recover(b, step);
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        later(1_000);
        statuses.push((await b.submit('/mot-de-passe-oublie/code', { code: '000001' })).statusCode);
      }
      return statuses;
    };
    const start = clock;
    const real = await statusesOf(nirForm(required(sophie.nir, 'nir'), frDate(sophie.birthdate)));
    clock = start;
    const unknown = await statusesOf(nirForm(unknownNir(), '12/06/1971'));
    console.log(
      `wrong codes, real person: ${real.join(' ')}; unknown person: ${unknown.join(' ')}`,
    );
    expect(unknown).toEqual(real);
    expect(real[0]).toBe(400);
  });

  it('answers both branches through the same time floor (medians printed, not asserted)', async () => {
    const floors: FlooredAnswer[] = [];
    const record = (message: unknown) => {
      if (isFlooredAnswer(message)) floors.push(message);
    };
    subscribe(answerFloorChannel.name, record);
    const sent = async () =>
      (
        await ctx.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM dev_outbox WHERE recipient = 'marie.petit@example.fr'",
        )
      ).rows[0]?.n ?? 0;
    const before = await sent();
    const runs: Record<'existing' | 'unknown', number[]> = { existing: [], unknown: [] };
    const work: Record<'existing' | 'unknown', FlooredAnswer[]> = { existing: [], unknown: [] };
    const n = 10;
    try {
      for (let i = 0; i < n; i++) {
        // A new hour each time: the code is really sent each time (3 an hour at most).
        nextHour();
        for (const branch of ['existing', 'unknown'] as const) {
          const step =
            branch === 'existing'
              ? nirForm(required(marie.nir, 'nir'), frDate(marie.birthdate))
              : nirForm(unknownNir(), '12/06/1971');
          const seen = floors.length;
          const { res, ms } = await recover(browser(), step);
          expect(res.statusCode).toBe(303);
          runs[branch].push(ms);
          work[branch].push(...floors.slice(seen));
        }
      }
    } finally {
      unsubscribe(answerFloorChannel.name, record);
    }
    expect(await sent()).toBe(before + n);
    for (const branch of ['existing', 'unknown'] as const) {
      expect(work[branch]).toHaveLength(n);
      for (const f of work[branch]) expect(f).toMatchObject({ name: 'recovery', floorMs: 400 });
    }
    expect(RECOVERY_ANSWER_MS).toBe(400);
    const over = [...work.existing, ...work.unknown].filter((f) => f.workMs > f.floorMs).length;
    console.log(
      `recovery answer, n=${String(n)} each: median ${median(runs.existing).toFixed(1)} ms (code sent, own work ${median(work.existing.map((f) => f.workMs)).toFixed(1)} ms) vs ${median(runs.unknown).toFixed(1)} ms (nobody, own work ${median(work.unknown.map((f) => f.workMs)).toFixed(1)} ms); ${String(over)} of ${String(2 * n)} answers outlasted the ${String(RECOVERY_ANSWER_MS)} ms floor`,
    );
  });
});

describe('"Mot de passe oublié ?" is throttled per identity typed and per address', () => {
  it('accepts a bounded number of requests for one NIR, the same for an existing and an unknown one', async () => {
    const n = 20;
    const accepted = async (step: { url: string; form: Record<string, string> }) => {
      let ok = 0;
      for (let i = 0; i < n; i++) {
        later(10_000);
        const { res } = await recover(browser(), step);
        if (res.statusCode === 303) ok++;
        else {
          expect(res.statusCode).toBe(429);
          expect(res.body).toContain('Trop de tentatives. Par sécurité, réessayez à partir de');
        }
      }
      return ok;
    };
    nextHour();
    const start = clock;
    const existing = await accepted(nirForm(required(marie.nir, 'nir'), frDate(marie.birthdate)));
    clock = start;
    const unknown = await accepted(nirForm(unknownNir(), '12/06/1971'));
    const bound = maxAttemptsIn(accountRules.recovery, n * 10_000);
    console.log(
      `one NIR and birth date, from ${String(n)} addresses, one request every 10 s: ${String(existing)} of ${String(n)} accepted (existing person), ${String(unknown)} of ${String(n)} (unknown NIR); bound ${String(bound)}`,
    );
    expect(existing).toBe(unknown);
    expect(existing).toBeLessThanOrEqual(bound);
    expect(existing).toBeGreaterThanOrEqual(accountRules.recovery.freeFailures);
  });

  it('accepts a bounded number of requests from one address', async () => {
    nextHour();
    const n = 80;
    const b = browser('10.14.0.1');
    let ok = 0;
    const started = clock;
    for (let i = 0; i < n; i++) {
      later(1_000);
      const { res } = await recover(b, nirForm(unknownNir(), '12/06/1971'));
      if (res.statusCode === 303) ok++;
      else expect(res.statusCode).toBe(429);
    }
    const bound = maxAttemptsIn(addressRules.recovery, clock - started + 1);
    console.log(
      `one address, ${String(n)} requests for different NIRs, one a second: ${String(ok)} of ${String(n)} accepted; bound ${String(bound)}`,
    );
    expect(ok).toBeLessThanOrEqual(bound);
    expect(ok).toBeGreaterThanOrEqual(addressRules.recovery.freeFailures);
  });

  it('a stranger who knows only the NIR uses up nothing of the owner’s recovery', async () => {
    nextHour();
    const nir = required(marie.nir, 'nir');
    const stranger = browser('198.51.100.50');
    for (let day = 1; day <= 12; day++) {
      later(1_000);
      await recover(stranger, nirForm(nir, `${String(day).padStart(2, '0')}/07/1980`));
    }
    const owner = browser('192.0.2.50');
    const previous = (await lastMessageTo(ctx.pool, 'marie.petit@example.fr'))?.id;
    const { res } = await recover(owner, nirForm(nir, frDate(marie.birthdate)));
    expect(res.headers.location).toBe('/mot-de-passe-oublie/code');
    const code = await newCodeFor('marie.petit@example.fr', previous);
    const ok = await owner.submit('/mot-de-passe-oublie/code', { code });
    expect(ok.headers.location).toBe('/mot-de-passe-oublie/nouveau-mot-de-passe');
  });

  it('a stranger who knows the birth date too cannot slow down the owner’s code with wrong ones', async () => {
    nextHour();
    const antoine = demo('conjoint-avec-delegation');
    const step = nirForm(required(antoine.nir, 'nir'), frDate(antoine.birthdate));
    const stranger = browser('198.51.100.51');
    await recover(stranger, step);
    // Patiently, waiting out each delay, until its journey is locked.
    const evaluated: number[] = [];
    for (let i = 0; i < 20 && evaluated.length < accountRules.code.lockAfter; i++) {
      const res = await stranger.submit('/mot-de-passe-oublie/code', { code: '000002' });
      if (res.statusCode === 429) later(30_000);
      else evaluated.push(res.statusCode);
    }
    expect(evaluated).toEqual(Array.from({ length: accountRules.code.lockAfter }, () => 400));
    later(60_000);
    const owner = browser('192.0.2.51');
    const previous = (await lastMessageTo(ctx.pool, 'antoine.leroy@example.fr'))?.id;
    await recover(owner, step);
    const code = await newCodeFor('antoine.leroy@example.fr', previous);
    const ok = await owner.submit('/mot-de-passe-oublie/code', { code });
    expect(ok.headers.location).toBe('/mot-de-passe-oublie/nouveau-mot-de-passe');
  });
});
