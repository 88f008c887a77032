/**
 * (d) A login storm (placeholder, kept simple; another part of issue 12 owns this module and its
 * signature): /mon-compte measured calm, then measured again while `loginConnections`
 * connections post logins at the same time. The storm's p99 over the calm p99 is the figure.
 */
import type { LoginForm } from './client.ts';
import { loginBody } from './client.ts';
import { runPhase, type CheckOutcome, type Phase, type PhaseResult } from './load.ts';

export async function loginStorm(o: {
  baseUrl: string;
  duration: number;
  connections: number;
  sessions: readonly string[];
  names: readonly string[];
  forms: readonly LoginForm[];
  nirs: readonly string[];
  password: string;
  loginConnections: number;
}): Promise<{ calm: PhaseResult; storm: PhaseResult; logins: PhaseResult }> {
  const at = <T>(items: readonly T[], n: number): T => {
    const item = items[n % items.length];
    if (item === undefined) throw new RangeError('empty list');
    return item;
  };
  const page: Phase = {
    baseUrl: o.baseUrl,
    connections: o.connections,
    duration: o.duration,
    expectedStatus: 200,
    request: (n) => ({
      method: 'GET',
      path: '/mon-compte',
      headers: { cookie: at(o.sessions, n) },
    }),
    check: {
      every: 50,
      verify: (n, body): CheckOutcome => {
        const shown = /data-current-user>([^<]+)</.exec(body)?.[1]?.trim() ?? null;
        if (shown === at(o.names, n)) return 'ok';
        return body.includes('\uFFFD') ? 'unverifiable' : 'mismatch';
      },
    },
  };
  const logins: Phase = {
    baseUrl: o.baseUrl,
    connections: o.loginConnections,
    duration: o.duration,
    expectedStatus: 303,
    request: (n) => {
      const form = at(o.forms, n);
      return {
        method: 'POST',
        path: '/connexion',
        headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: loginBody(form, at(o.nirs, n), o.password),
      };
    },
    check: {
      every: 1,
      verify: (_n, _body, headers) => (headers.location === '/mon-compte' ? 'ok' : 'mismatch'),
    },
  };
  const calm = await runPhase(page);
  const [storm, loginResult] = await Promise.all([runPhase(page), runPhase(logins)]);
  return { calm, storm, logins: loginResult };
}
