import { generate } from 'otplib';
import { expect } from 'vitest';
import { demoAgents, type DemoAgent } from '#src/seed/demo.ts';
import { TestBrowser, csrfTokenOf } from './browser.ts';
import type { FastifyInstance } from 'fastify';

export const AGENT_COOKIES = ['moncompte-agent', '__Host-moncompte-agent'] as const;

export function demoAgentOf(role: DemoAgent['role']): DemoAgent {
  const a = demoAgents.find((x) => x.role === role);
  if (!a) throw new Error(`no demo agent ${role}`);
  return a;
}

/** The TOTP code of `secret` at the services' clock `at` (what the agent's app shows). */
export async function totpAt(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/** Password then TOTP code, as an agent's browser does; returns the code used. */
export async function agentLogin(
  b: TestBrowser,
  agent: { login: string; password: string; totpSecret: string },
  at: Date,
): Promise<string> {
  const first = await b.submit('/agents/connexion', {
    login: agent.login,
    password: agent.password,
  });
  expect(first.headers.location).toBe('/agents/connexion/code');
  const code = await totpAt(agent.totpSecret, at);
  const page = await b.get('/agents/connexion/code');
  const done = await b.post('/agents/connexion/code', { _csrf: csrfTokenOf(page.body), code });
  expect(done.headers.location).toBe('/agents');
  return code;
}

export async function agentBrowser(
  app: FastifyInstance,
  role: DemoAgent['role'],
  at: Date,
): Promise<TestBrowser> {
  const b = new TestBrowser(app);
  await agentLogin(b, demoAgentOf(role), at);
  return b;
}
