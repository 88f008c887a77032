import { describe, expect, it } from 'vitest';
import {
  flowExpiry,
  hashFlowId,
  looksLikeFlowId,
  newFlowId,
  parseFlowState,
} from '#src/domain/flow.ts';
import * as definitions from '#src/services/flow-definitions.ts';

const all = Object.values(definitions).filter(
  (d): d is (typeof definitions)['recoveryFlow'] =>
    typeof d === 'object' && 'name' in d && 'schema' in d && 'ttlMs' in d,
);

describe('flow ids', () => {
  it('are 43 base64url characters (32 random bytes), all different', () => {
    const ids = Array.from({ length: 1000 }, () => newFlowId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('are stored as their SHA-256, never as themselves', () => {
    const id = newFlowId();
    const hash = hashFlowId(id);
    expect(hash).toHaveLength(32);
    expect(hash.equals(hashFlowId(id))).toBe(true);
    expect(hash.equals(hashFlowId(newFlowId()))).toBe(false);
    expect(hash.toString('base64url')).not.toBe(id);
  });

  it('are recognised before any query, and nothing else is', () => {
    expect(looksLikeFlowId(newFlowId())).toBe(true);
    for (const value of [
      undefined,
      null,
      42,
      '',
      'a'.repeat(42),
      'a'.repeat(44),
      `${'a'.repeat(42)}.`,
    ])
      expect(looksLikeFlowId(value)).toBe(false);
  });
});

describe('flow definitions', () => {
  it('name every journey once, with a lifetime of 15 or 20 minutes', () => {
    expect(all.map((d) => d.name).sort()).toEqual([
      'changement-coordonnees',
      'connexion-nouvel-appareil',
      'creer-mon-compte',
      'franceconnect',
      'franceconnect-deconnexion',
      'franceconnect-liaison',
      'mot-de-passe-oublie',
      'premiere-connexion',
      'verification-renforcee',
    ]);
    for (const d of all) expect([15 * 60_000, 20 * 60_000]).toContain(d.ttlMs);
  });

  it('expire a flow its lifetime after its start', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    expect(flowExpiry(definitions.recoveryFlow, now).toISOString()).toBe(
      '2026-11-23T10:20:00.000Z',
    );
    expect(flowExpiry(definitions.stepUpFlow, now).toISOString()).toBe('2026-11-23T10:15:00.000Z');
  });

  it('accept the state of their journey and refuse any other shape', () => {
    const verified = { channel: 'email', destination: 'a@example.fr' };
    expect(parseFlowState(definitions.recoveryFlow, { codeVerified: verified })).toEqual({
      codeVerified: verified,
    });
    expect(parseFlowState(definitions.recoveryFlow, { codeVerified: null })).toEqual({
      codeVerified: null,
    });
    // A first-connection state is not a recovery one, and a malformed contact is refused.
    expect(
      parseFlowState(definitions.recoveryFlow, {
        codeVerified: { channel: 'pigeon', destination: 'x' },
      }),
    ).toBeNull();
    expect(parseFlowState(definitions.firstConnectionFlow, { codeVerified: null })).toBeNull();
    expect(
      parseFlowState(definitions.firstConnectionFlow, {
        origin: 'invitation',
        passwordSet: false,
        contact: null,
      }),
    ).toEqual({ origin: 'invitation', passwordSet: false, contact: null });
    expect(parseFlowState(definitions.franceConnectLogoutFlow, 'state')).toBeNull();
  });
});
