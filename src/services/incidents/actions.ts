import type pg from 'pg';
import { withTransaction } from '#src/db/pool.ts';
import {
  auditIncident,
  cancelDemarchesCreatedIn,
  claimIncidentNotice,
  findIncident,
  insertIncident,
  markIncident,
  revokeSessionsCreatedIn,
  type IncidentRow,
} from '#src/db/repositories/incidents.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import { actorAgentId, actorName, type Actor } from '../actor.ts';
import type { Deps } from '../deps.ts';
import { notify } from '../notices.ts';
import { buildIncidentReport } from './report.ts';

export type IncidentRefusal = { readonly ok: false; readonly reason: 'unknown' | 'closed' };

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});
const windowText = (i: IncidentRow) =>
  `entre le ${dateTime.format(i.startsAt)} et le ${dateTime.format(i.endsAt)}`;

/** The reason written on each démarche cancelled, and told to its author. */
export function cancelReason(i: IncidentRow): string {
  return `Incident de sécurité n° ${i.id} : démarche faite ${windowText(i)}, annulée par précaution.`;
}

export async function declareIncident(
  s: Pick<Deps, 'pool'>,
  actor: Actor,
  input: { startsAt: Date; endsAt: Date | null; description: string },
): Promise<{ ok: true; incident: IncidentRow } | { ok: false; reason: 'bad-window' }> {
  return withTransaction(s.pool, async (tx) => {
    const now = (await tx.query<{ now: Date }>('SELECT now() AS now')).rows[0]?.now ?? new Date();
    if ((input.endsAt ?? now) <= input.startsAt) return { ok: false, reason: 'bad-window' };
    const incident = await insertIncident(tx, { ...input, declaredBy: actorName(actor) });
    await auditIncident(
      tx,
      'incident-declare',
      {
        incident: incident.id,
        actor: actorName(actor),
        startsAt: incident.startsAt,
        endsAt: incident.endsAt,
      },
      actorAgentId(actor),
    );
    return { ok: true, incident };
  });
}

/** One action: the incident locked (actions run one at a time), refused once it is closed. */
async function onOpenIncident<T>(
  s: Pick<Deps, 'pool'>,
  incidentId: string,
  fn: (tx: pg.PoolClient, incident: IncidentRow) => Promise<T>,
): Promise<({ ok: true } & T) | IncidentRefusal> {
  return withTransaction(s.pool, async (tx) => {
    const incident = await findIncident(tx, incidentId, true);
    if (!incident) return { ok: false, reason: 'unknown' };
    if (incident.closedAt) return { ok: false, reason: 'closed' };
    return { ok: true, ...(await fn(tx, incident)) };
  });
}

/**
 * Revokes every session created in the window, in one statement; each ends at its next request
 * on every instance (ADR 0001). Run again, it revokes nothing more.
 */
export async function revokeIncidentSessions(s: Pick<Deps, 'pool'>, actor: Actor, id: string) {
  return onOpenIncident(s, id, async (tx, incident) => {
    const revoked = await revokeSessionsCreatedIn(
      tx,
      incident.startsAt,
      incident.endsAt,
      `incident:${incident.id}`,
    );
    await markIncident(tx, incident.id, 'sessions_revoked_at');
    await auditIncident(
      tx,
      'incident-revoke-sessions',
      { incident: incident.id, actor: actorName(actor), revoked },
      actorAgentId(actor),
    );
    return { revoked };
  });
}

/**
 * Cancels every démarche made in the window and not cancelled yet, with the reason; each author
 * is told once, through the outbox, in the same transaction. Run again, it finds none left.
 */
export async function cancelIncidentDemarches(s: Deps, actor: Actor, id: string) {
  return onOpenIncident(s, id, async (tx, incident) => {
    const reason = cancelReason(incident);
    const cancelled = await cancelDemarchesCreatedIn(
      tx,
      incident.startsAt,
      incident.endsAt,
      reason,
    );
    const authors = [...new Set(cancelled.map((d) => d.authorPersonId))];
    for (const authorId of authors) {
      const person = await findPersonById(tx, authorId);
      if (!person) continue;
      const count = cancelled.filter((d) => d.authorPersonId === authorId).length;
      await notify(
        s,
        person,
        'Une démarche faite sur Mon Compte a été annulée',
        `Bonjour ${person.given_name},\n\n${count > 1 ? `${String(count)} démarches faites` : 'Une démarche faite'} sur Mon Compte ${windowText(incident)} ${count > 1 ? 'ont été annulées' : 'a été annulée'} par précaution, à la suite d’un incident de sécurité sur le site.\n\nMotif : ${reason}\n\nSi ${count > 1 ? 'elles sont' : 'elle est'} toujours d’actualité, merci de ${count > 1 ? 'les' : 'la'} refaire depuis votre espace Mon Compte. Nous vous prions de nous excuser pour la gêne occasionnée.`,
        tx,
      );
    }
    await markIncident(tx, incident.id, 'demarches_cancelled_at');
    await auditIncident(
      tx,
      'incident-cancel-demarches',
      {
        incident: incident.id,
        actor: actorName(actor),
        cancelled: cancelled.length,
        authorsNotified: authors.length,
      },
      actorAgentId(actor),
    );
    return { cancelled: cancelled.length, authorsNotified: authors.length };
  });
}

/**
 * The contact notices: each person exposed or exposing is told once per incident (a row of
 * incident_notices), through the outbox in this transaction, so nothing is lost or doubled.
 */
export async function sendIncidentNotices(s: Deps, actor: Actor, id: string) {
  return onOpenIncident(s, id, async (tx, incident) => {
    const report = await buildIncidentReport(tx, incident);
    const exposing = new Set(report.contacts.exposing.map((p) => p.id));
    let sent = 0;
    let withoutContact = 0;
    for (const summary of report.contacts.all) {
      if (!(await claimIncidentNotice(tx, incident.id, summary.id))) continue;
      const person = await findPersonById(tx, summary.id);
      if (!person) continue;
      if (!person.email && !(person.phone && person.phone_verified_at)) withoutContact++;
      const what = exposing.has(person.id)
        ? `des informations d’un dossier qui n’est pas le vôtre ont pu vous être affichées ${windowText(incident)}. Merci de ne pas les utiliser ni les diffuser.`
        : `des informations de votre dossier ont pu être affichées à une autre personne ${windowText(incident)}.`;
      await notify(
        s,
        person,
        'Incident de sécurité sur Mon Compte',
        `Bonjour ${person.given_name},\n\nÀ la suite d’un incident de sécurité sur Mon Compte, ${what}\n\nLes sessions ouvertes pendant cette période ont été fermées. La Caf a informé la CNIL. Pour toute question, contactez votre Caf au 3230.`,
        tx,
      );
      sent++;
    }
    await markIncident(tx, incident.id, 'notices_sent_at');
    await auditIncident(
      tx,
      'incident-notify',
      {
        incident: incident.id,
        actor: actorName(actor),
        sent,
        withoutContact,
      },
      actorAgentId(actor),
    );
    return { sent, withoutContact, alreadyNotified: report.contacts.all.length - sent };
  });
}

export async function closeIncident(s: Pick<Deps, 'pool'>, actor: Actor, id: string) {
  return onOpenIncident(s, id, async (tx, incident) => {
    await markIncident(tx, incident.id, 'closed_at');
    await auditIncident(
      tx,
      'incident-close',
      { incident: incident.id, actor: actorName(actor) },
      actorAgentId(actor),
    );
    return {};
  });
}
