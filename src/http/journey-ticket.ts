import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * The state of a multi-step journey that happens before a session exists (first connection,
 * recovery), kept in the encrypted session cookie and valid for 20 minutes. It names a person
 * but is never a principal: it opens no page of the dossier.
 */
const ticketSchema = z.discriminatedUnion('journey', [
  z.object({
    journey: z.literal('premiere-connexion'),
    personId: z.uuid(),
    issuedAt: z.number(),
    /** How the person proved who they are: the old dossier password, or an invitation code. */
    origin: z.enum(['ancien-mot-de-passe', 'invitation']).default('ancien-mot-de-passe'),
    passwordSet: z.boolean(),
    contact: z.object({ channel: z.enum(['email', 'sms']), destination: z.string() }).nullable(),
  }),
  z.object({
    journey: z.literal('mot-de-passe-oublie'),
    // null when NIR and birth date matched nobody: the journey looks the same.
    personId: z.uuid().nullable(),
    issuedAt: z.number(),
    codeVerified: z
      .object({ channel: z.enum(['email', 'sms']), destination: z.string() })
      .nullable(),
  }),
  z.object({
    journey: z.literal('creer-mon-compte'),
    issuedAt: z.number(),
    identity: z.object({
      nir: z.string(),
      sex: z.union([z.literal(1), z.literal(2)]),
      familyName: z.string(),
      givenNames: z.string(),
      birthdate: z.string(),
    }),
    // From the contact step on: the new person, or an id matching nobody when the NIR is already
    // known — the same size in the cookie, so it does not tell which.
    personId: z.uuid().nullable(),
    contact: z.object({ channel: z.enum(['email', 'sms']), destination: z.string() }).nullable(),
    codeVerified: z.boolean(),
  }),
]);

export type Ticket = z.infer<typeof ticketSchema>;
export type TicketOf<J extends Ticket['journey']> = Extract<Ticket, { journey: J }>;

const TICKET_TTL_MS = 20 * 60_000;

export function readTicket<J extends Ticket['journey']>(
  request: FastifyRequest,
  journey: J,
  now: Date,
): TicketOf<J> | null {
  const parsed = ticketSchema.safeParse(request.session.get('ticket'));
  if (!parsed.success) return null;
  const t = parsed.data;
  if (now.getTime() - t.issuedAt > TICKET_TTL_MS) return null;
  return isJourney(t, journey) ? t : null;
}

function isJourney<J extends Ticket['journey']>(t: Ticket, journey: J): t is TicketOf<J> {
  return t.journey === journey;
}

export function writeTicket(request: FastifyRequest, ticket: z.input<typeof ticketSchema>): void {
  request.session.set('ticket', ticket);
}

export function clearTicket(request: FastifyRequest): void {
  request.session.set('ticket', undefined);
}
