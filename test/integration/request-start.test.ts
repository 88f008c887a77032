import { describe, expect, it } from 'vitest';
import {
  SESSION_TOUCH_EVERY_MS,
  startRequest as readRequestStart,
  touchAfterMs,
} from '#src/db/repositories/sessions.ts';
import { dossiersOf } from '#src/services/dossier-access.ts';
import { loadMonCompte } from '#src/services/mon-compte.ts';
import { hashSessionId, openSession, startRequest } from '#src/services/sessions.ts';
import { useTestApp } from '../support/app.ts';
import { demo, required } from '../support/personas.ts';

const ctx = useTestApp();

async function personIds(): Promise<{ id: string; name: string }[]> {
  const r = await ctx.pool.query<{ id: string; name: string }>(
    `SELECT p.id, p.given_name || ' ' || p.family_name AS name
       FROM persons p JOIN accounts a ON a.person_id = p.id ORDER BY p.id`,
  );
  return r.rows;
}

/** Seconds since the session's `last_seen_at`. */
async function seenAgo(idHash: Buffer): Promise<number> {
  const r = await ctx.pool.query<{ s: number }>(
    `SELECT extract(epoch FROM now() - last_seen_at)::float8 AS s FROM sessions WHERE id_hash = $1`,
    [idHash],
  );
  return required(r.rows[0], 'the session row').s;
}

async function setSeenAgo(idHash: Buffer, seconds: number): Promise<void> {
  await ctx.pool.query(
    `UPDATE sessions SET last_seen_at = now() - make_interval(secs => $2) WHERE id_hash = $1`,
    [idHash, seconds],
  );
}

/** The transaction that wrote the row's current version: unchanged when nothing wrote it. */
async function xminOf(idHash: Buffer): Promise<string | undefined> {
  const r = await ctx.pool.query<{ x: string }>(
    'SELECT xmin::text AS x FROM sessions WHERE id_hash = $1',
    [idHash],
  );
  return r.rows[0]?.x;
}

async function signIn(personId: string) {
  return openSession(ctx.pool, ctx.deps.config.session, {
    personId,
    method: 'password',
    acr: null,
    clientIp: null,
    userAgent: null,
  });
}

describe('the start of a signed-in request: session, memberships and maintenance in one statement', () => {
  it('answers, for every person with an account, exactly the dossiers the one rule reads', async () => {
    const people = await personIds();
    expect(people.length).toBeGreaterThan(5);
    for (const { id, name } of people) {
      const claims = await signIn(id);
      const started = await startRequest(ctx.deps, claims);
      expect(started.principal?.personId, name).toBe(id);
      expect(started.principal?.sessionHash.equals(hashSessionId(claims.sid))).toBe(true);
      const expected = await dossiersOf(
        ctx.pool,
        required(started.principal, name),
        ctx.deps.now(),
      );
      expect(started.dossiers, name).toEqual(expected);
      expect(started.maintenance.window).toHaveProperty('startsAt');
    }
  });

  it('answers no principal and no dossier for a revoked, idle or mismatched session — the maintenance row all the same', async () => {
    const [first, second] = await personIds();
    const a = required(first, 'a person');
    const b = required(second, 'another person');
    const claims = await signIn(a.id);
    // Another person's id beside this session id: nothing.
    const crossed = await startRequest(ctx.deps, { sid: claims.sid, pid: b.id });
    expect(crossed).toMatchObject({ principal: null, dossiers: [] });
    expect(crossed.maintenance.now).toBeInstanceOf(Date);

    const idle = await signIn(a.id);
    await ctx.pool.query(
      `UPDATE sessions SET last_seen_at = now() - interval '1 day' WHERE id_hash = $1`,
      [hashSessionId(idle.sid)],
    );
    expect(await startRequest(ctx.deps, idle)).toMatchObject({ principal: null, dossiers: [] });

    await ctx.pool.query(`UPDATE sessions SET revoked_at = now() WHERE id_hash = $1`, [
      hashSessionId(claims.sid),
    ]);
    expect(await startRequest(ctx.deps, claims)).toMatchObject({ principal: null, dossiers: [] });
  });

  it('touches the live session it read once last seen a minute ago or more, and only then (ADR 0016)', async () => {
    const [first] = await personIds();
    const claims = await signIn(required(first, 'a person').id);
    const idHash = hashSessionId(claims.sid);
    const touchEvery = SESSION_TOUCH_EVERY_MS / 1000;

    // Seen just over the interval ago: the request writes the time again.
    await setSeenAgo(idHash, touchEvery + 1);
    expect((await startRequest(ctx.deps, claims)).principal).not.toBeNull();
    expect(await seenAgo(idHash)).toBeLessThan(5);

    // Seen just under the interval ago: live, read, and not written.
    await setSeenAgo(idHash, touchEvery - 5);
    const xminBefore = await xminOf(idHash);
    expect((await startRequest(ctx.deps, claims)).principal).not.toBeNull();
    expect(await seenAgo(idHash)).toBeGreaterThan(touchEvery - 6);
    expect(await xminOf(idHash)).toBe(xminBefore);

    // The idle limit is still read on every request: seen just past it, the session is over.
    await setSeenAgo(idHash, ctx.deps.config.session.idleMs / 1000 + 1);
    expect(await startRequest(ctx.deps, claims)).toMatchObject({ principal: null, dossiers: [] });
  });

  it('with an idle timeout under two minutes, touches at half of it: a session used that often stays live', async () => {
    const [first] = await personIds();
    const claims = await signIn(required(first, 'a person').id);
    const idHash = hashSessionId(claims.sid);
    const idleMs = 60_000;
    expect(touchAfterMs(idleMs)).toBe(30_000);
    expect(touchAfterMs(30 * 60_000)).toBe(SESSION_TOUCH_EVERY_MS);
    // Requests every 35 s against a 60 s idle timeout: each finds the session live and, past
    // half the timeout, writes the time again — with a one-minute interval it would idle out.
    for (let step = 0; step < 3; step++) {
      await setSeenAgo(idHash, 35);
      const started = await readRequestStart(ctx.pool, idHash, claims.pid, idleMs);
      expect(started.session).not.toBeNull();
      expect(await seenAgo(idHash)).toBeLessThan(5);
    }
  });

  it('never touches a revoked session, however long ago it was seen', async () => {
    const [first] = await personIds();
    const claims = await signIn(required(first, 'a person').id);
    const idHash = hashSessionId(claims.sid);
    await ctx.pool.query(
      `UPDATE sessions SET last_seen_at = now() - interval '10 minutes', revoked_at = now()
        WHERE id_hash = $1`,
      [idHash],
    );
    expect(await startRequest(ctx.deps, claims)).toMatchObject({ principal: null });
    const r = await ctx.pool.query<{ old: boolean }>(
      `SELECT last_seen_at < now() - interval '9 minutes' AS old FROM sessions WHERE id_hash = $1`,
      [idHash],
    );
    expect(r.rows[0]?.old).toBe(true);
  });
});

describe('the dashboard in one statement', () => {
  it('re-checks the memberships it decided on: a delegation granted in between is read afresh, logged once', async () => {
    const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
      demo('conjoint-sans-delegation').nir,
    ]);
    const julien = required(r.rows[0]?.id, 'Julien');
    const claims = await signIn(julien);
    const started = await startRequest(ctx.deps, claims);
    const principal = required(started.principal, 'Julien signed in');
    expect(started.dossiers.map((d) => d.membership.delegation)).toEqual([false]);
    await ctx.pool.query('UPDATE dossier_members SET delegation = true WHERE person_id = $1', [
      julien,
    ]);
    try {
      const view = await loadMonCompte(ctx.deps, principal, started.dossiers, '/essai');
      expect(view?.dossiers.map((d) => d.delegation)).toEqual([true]);
      // The matrix decided again on the fresh membership: payments are open with a delegation.
      expect(view?.dossiers[0]?.payments).not.toBeNull();
      const logged = await ctx.pool.query<{ dossier: string | null; categories: string[] }>(
        `SELECT dossier_id AS dossier, categories FROM access_log WHERE session_hash = $1 ORDER BY id`,
        [principal.sessionHash],
      );
      expect(logged.rows).toHaveLength(2);
      expect(logged.rows[0]?.categories).toContain('paiements');
      expect(logged.rows[1]).toEqual({ dossier: null, categories: ['identite', 'coordonnees'] });
    } finally {
      await ctx.pool.query('UPDATE dossier_members SET delegation = false WHERE person_id = $1', [
        julien,
      ]);
    }
  });

  it('re-checks the whole set: a dossier joined in between is shown, and logged once', async () => {
    const r = await ctx.pool.query<{ id: string }>('SELECT id FROM persons WHERE nir = $1', [
      demo('primo-demandeur').nir,
    ]);
    const ines = required(r.rows[0]?.id, 'Inès');
    const claims = await signIn(ines);
    const started = await startRequest(ctx.deps, claims);
    const principal = required(started.principal, 'Inès signed in');
    expect(started.dossiers).toEqual([]);
    const d = await ctx.pool.query<{ id: string }>(
      `SELECT id FROM dossiers WHERE number = '1234567'`,
    );
    const dossier = required(d.rows[0]?.id, 'dossier 1234567');
    await ctx.pool.query(
      `INSERT INTO dossier_members (dossier_id, person_id, role) VALUES ($1, $2, 'autre')`,
      [dossier, ines],
    );
    try {
      const view = await loadMonCompte(ctx.deps, principal, started.dossiers, '/essai');
      expect(view?.dossiers.map((x) => x.number)).toEqual(['1234567']);
      const logged = await ctx.pool.query<{ dossier: string | null }>(
        `SELECT dossier_id AS dossier FROM access_log WHERE session_hash = $1 ORDER BY id`,
        [principal.sessionHash],
      );
      expect(logged.rows).toEqual([{ dossier }, { dossier: null }]);
    } finally {
      await ctx.pool.query('DELETE FROM dossier_members WHERE person_id = $1', [ines]);
    }
  });
});
