import nodemailer from 'nodemailer';
import type { Queryable } from '#src/db/pool.ts';

export type Channel = 'email' | 'sms' | 'courrier';

export interface OutboundMessage {
  readonly channel: Channel;
  /** An e-mail address, a phone number, or postal address lines joined by '\n'. */
  readonly to: string;
  readonly subject: string;
  /** Plain French text; no HTML. */
  readonly text: string;
}

export interface Notifier {
  /** Resolves once the message is handed over (accepted by the SMTP server, the provider…). */
  send(message: OutboundMessage): Promise<void>;
  close(): Promise<void>;
}

/** How an SMS or a postal letter leaves: a provider in production, the outbox elsewhere. */
export interface SmsTransport {
  send(to: string, subject: string, text: string): Promise<void>;
}

/** The channel cannot send here (no provider configured): the journey should offer another. */
export class ChannelUnavailableError extends Error {
  readonly channel: Channel;

  constructor(channel: Channel, detail: string) {
    super(`Envoi impossible par ${channel} : ${detail}`);
    this.name = 'ChannelUnavailableError';
    this.channel = channel;
  }
}

/** The recipient is not one well-formed destination for its channel; nothing was sent. */
export class InvalidRecipientError extends Error {
  constructor(channel: Channel) {
    super(`Destinataire invalide pour le canal ${channel}`);
    this.name = 'InvalidRecipientError';
  }
}

// Exactly one bare address: no display name, no list ("a@x.fr, b@y.fr"), no spaces.
const singleAddress = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+\.[^\s@,;:<>()[\]"\\]+$/;

const MAX_TEXT_LENGTH = 20_000;

/** The trimmed recipient, or InvalidRecipientError: checked at enqueue time and again at send time. */
export function checkRecipient(message: OutboundMessage): string {
  const to = message.to.trim();
  if (to === '' || message.text.length > MAX_TEXT_LENGTH) {
    throw new InvalidRecipientError(message.channel);
  }
  if (message.channel === 'email' && !singleAddress.test(to)) {
    throw new InvalidRecipientError('email');
  }
  return to;
}

/**
 * E-mails over SMTP (`smtpUrl`: the real server in production, the development catcher
 * elsewhere); SMS and letters through their transports. With no `smtpUrl` (a CLI that never
 * sends, say), e-mail sends fail with ChannelUnavailableError.
 */
export function createNotifier(options: {
  smtpUrl: string | undefined;
  mailFrom: string;
  sms: SmsTransport;
  courrier: SmsTransport;
}): Notifier {
  const mailer = options.smtpUrl
    ? nodemailer.createTransport({
        url: options.smtpUrl,
        // A page waits for the hand-over: fail in seconds, not nodemailer's minutes.
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 20_000,
      })
    : null;

  return {
    async send(message) {
      const to = checkRecipient(message);
      switch (message.channel) {
        case 'email': {
          if (!mailer) {
            throw new ChannelUnavailableError('email', 'aucun serveur SMTP (SMTP_URL) configuré');
          }
          await mailer.sendMail({
            from: options.mailFrom,
            to,
            subject: message.subject,
            text: message.text,
            headers: { 'Auto-Submitted': 'auto-generated' },
          });
          return;
        }
        case 'sms':
          await options.sms.send(to, message.subject, message.text);
          return;
        case 'courrier':
          await options.courrier.send(to, message.subject, message.text);
          return;
      }
    },
    async close() {
      mailer?.close();
    },
  };
}

/** Development and test: the message is written to `dev_outbox`, shown on /developpement/messages. */
export function outboxTransport(db: Queryable, channel: 'sms' | 'courrier'): SmsTransport {
  return {
    async send(to, subject, text) {
      await db.query(
        'INSERT INTO dev_outbox (channel, recipient, subject, body) VALUES ($1, $2, $3, $4)',
        [channel, to, subject, text],
      );
    },
  };
}

/**
 * Production until a provider is plugged in: every send fails with ChannelUnavailableError,
 * so a journey can say so instead of pretending a code left.
 */
export function unavailableTransport(channel: 'sms' | 'courrier'): SmsTransport {
  return {
    async send() {
      throw new ChannelUnavailableError(channel, 'aucun prestataire configuré');
    },
  };
}

export interface OutboxMessage {
  readonly id: string;
  readonly at: Date;
  readonly channel: Channel;
  readonly recipient: string;
  readonly subject: string | null;
  readonly body: string;
}

/** Development and test: the latest messages of `dev_outbox`, newest first. */
export async function recentOutboxMessages(db: Queryable, limit = 50): Promise<OutboxMessage[]> {
  const result = await db.query<OutboxMessage>(
    `SELECT id::text AS id, at, channel, recipient, subject, body
       FROM dev_outbox ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return result.rows;
}
