import { isIP } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Queryable } from '#src/db/pool.ts';

export interface SmtpCatcher {
  /** The port really listened on (useful with port 0). */
  readonly port: number;
  /** `smtp://host:port`, to hand to the notifier. */
  readonly url: string;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Development and test only: a real SMTP server on the loopback interface, no authentication,
 * no TLS, that stores every message it receives in `dev_outbox` (channel 'email'). The SMTP
 * "250 OK" is sent only once the row is written, so a send that resolved can be read back.
 */
export async function startSmtpCatcher(options: {
  port: number;
  host?: string;
  db: Queryable;
  /** Connection-level errors (a client hanging up mid-message); ignored by default. */
  onError?: (error: Error) => void;
  /** Tests: awaited once a message is stored, before the SMTP answer goes back. */
  onStored?: (recipient: string) => void | Promise<void>;
}): Promise<SmtpCatcher> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host)) {
    throw new Error(`Le récepteur SMTP de développement n’écoute qu’en local, pas sur ${host}.`);
  }
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    disableReverseLookup: true,
    size: MAX_MESSAGE_BYTES,
    rejectOversized: true,
    closeTimeout: 2_000,
    banner: 'Mon Compte, récepteur de développement',
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          const recipient =
            firstAddress(mail.to) ?? session.envelope.rcptTo[0]?.address.toLowerCase();
          if (!recipient) throw new Error('message sans destinataire');
          await options.db.query(
            'INSERT INTO dev_outbox (channel, recipient, subject, body) VALUES ($1, $2, $3, $4)',
            ['email', recipient, mail.subject ?? null, mail.text ?? ''],
          );
          await options.onStored?.(recipient);
        })
        .then(
          () => {
            callback();
          },
          (error: unknown) => {
            callback(error instanceof Error ? error : new Error(String(error)));
          },
        );
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error: Error) => {
    options.onError?.(error);
  });

  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const urlHost = isIP(host) === 6 ? `[${host}]` : host;
  return {
    port,
    url: `smtp://${urlHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

function firstAddress(to: AddressObject | AddressObject[] | undefined): string | undefined {
  const groups = Array.isArray(to) ? to : to ? [to] : [];
  for (const group of groups) {
    for (const entry of group.value) {
      if (entry.address) return entry.address.toLowerCase();
    }
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * `npm start` outside production: the catcher on `preferredPort`, or on a free port when that
 * one is taken (a second `npm start` on the same database, Mailpit…); `movedFrom` says so.
 */
export async function startDevelopmentSmtpCatcher(options: {
  preferredPort: number;
  db: Queryable;
}): Promise<SmtpCatcher & { readonly movedFrom: number | null }> {
  try {
    const catcher = await startSmtpCatcher({ port: options.preferredPort, db: options.db });
    return { ...catcher, movedFrom: null };
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EADDRINUSE')) throw error;
    const catcher = await startSmtpCatcher({ port: 0, db: options.db });
    return { ...catcher, movedFrom: options.preferredPort };
  }
}
