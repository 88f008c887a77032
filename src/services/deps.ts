import { hkdfSync } from 'node:crypto';
import type { Config } from '#src/config.ts';
import type { Pool } from '#src/db/pool.ts';
import { createFranceConnect, type FranceConnect } from '#src/franceconnect/providers.ts';
import {
  createNotifier,
  outboxTransport,
  unavailableTransport,
  type Notifier,
} from '#src/notifications/notifier.ts';
import { createOutbox, type Outbox } from '#src/notifications/outbox.ts';
import { createPasswordHasher, type PasswordHasher } from './password-hasher.ts';

/**
 * What the use cases of src/services/ work with, wired once. Internal to services: routes get
 * the use cases bound to it (`buildUseCases`), never this bag and its pool.
 */
export interface Deps {
  readonly config: Config;
  readonly pool: Pool;
  readonly hasher: PasswordHasher;
  /**
   * Keys derived from the first session key, one per use; `devices` from every session key
   * (the first signs, all check), so device cookies survive a rotation.
   */
  readonly secrets: {
    readonly codes: Buffer;
    readonly throttles: Buffer;
    readonly devices: readonly Buffer[];
  };
  /** Injected so that age rules and tests do not depend on the wall clock. */
  readonly now: () => Date;
  /** E-mail over SMTP (`config.mail.smtpUrl`); SMS and letters: `dev_outbox` outside production. */
  readonly notifier: Notifier;
  /** Where services write messages, in the transaction of their effect; the worker sends them. */
  readonly outbox: Outbox;
  /** FranceConnect and FranceConnect+ clients (null when not configured). */
  readonly franceConnect: FranceConnect;
}

export async function buildDeps(config: Config, pool: Pool): Promise<Deps> {
  const hasher = await createPasswordHasher({ ...config.argon2, ...config.login });
  const derive = (info: string, key = config.sessionKeys[0] ?? Buffer.alloc(0)) =>
    Buffer.from(hkdfSync('sha256', key, 'mon-compte', info, 32));
  const secrets = {
    codes: derive('one-time-codes'),
    throttles: derive('throttles'),
    devices: config.sessionKeys.map((key) => derive('device-cookies', key)),
  };
  const production = config.env === 'production';
  const notifier = createNotifier({
    smtpUrl: config.mail.smtpUrl,
    mailFrom: config.mail.from,
    // No SMS or postal provider is wired yet: production refuses those channels clearly.
    sms: production ? unavailableTransport('sms') : outboxTransport(pool, 'sms'),
    courrier: production ? unavailableTransport('courrier') : outboxTransport(pool, 'courrier'),
  });
  // E-mail always: SMTP_URL in production, the development catcher elsewhere.
  const outbox = createOutbox({ email: true, sms: !production, courrier: !production });
  const franceConnect = await createFranceConnect(config);
  return { config, pool, hasher, secrets, now: () => new Date(), notifier, outbox, franceConnect };
}
