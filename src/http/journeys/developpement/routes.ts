import type { FastifyInstance } from 'fastify';
import type { Channel } from '#src/notifications/notifier.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { paths } from '../../paths.ts';

const channelLabels: Readonly<Record<Channel, string>> = {
  email: 'Courriel',
  sms: 'SMS',
  courrier: 'Courrier',
};

const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'short',
  timeStyle: 'medium',
  timeZone: 'Europe/Paris',
});

/**
 * Development and test only: what the portal "sent" (e-mails caught over SMTP, SMS and
 * letters written by the outbox transport). app.ts registers it outside production only.
 */
export async function developpementRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  if (opts.services.config.env === 'production') return;
  app.get(paths.developpementMessages, async (_request, reply) => {
    const messages = await opts.services.messages.recent(50);
    return reply.page('pages/developpement/messages.njk', {
      messages: messages.map((m) => ({
        at: dateTimeFormat.format(m.at),
        atIso: m.at.toISOString(),
        channel: channelLabels[m.channel],
        // Postal addresses are lines joined by '\n'.
        recipientLines: m.recipient.split('\n'),
        subject: m.subject,
        body: m.body,
      })),
    });
  });
}
