import type { FastifyError } from 'fastify';
import { describe, expect, it } from 'vitest';
import { classify } from '#src/http/plugins/errors.ts';

function pgError(code: string): FastifyError {
  return Object.assign(new Error(`postgres ${code}`), { code, name: 'error' });
}

describe('the page an error gets', () => {
  it.each([
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['55P03', 'lock not available'],
    ['57014', 'statement timeout'],
    ['57P01', 'administrator shutdown'],
    ['08006', 'connection failure'],
  ])('answers the French 503 with Retry-After to %s (%s): retrying may pass', (code) => {
    const page = classify(pgError(code));
    expect(page.status).toBe(503);
    expect(page.retryAfter).toBeGreaterThan(0);
  });

  it('keeps a real fault (a constraint broken) a 500', () => {
    expect(classify(pgError('23505')).status).toBe(500);
  });
});
