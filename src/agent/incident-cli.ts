import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Deps } from '#src/services/deps.ts';
import {
  cancelIncidentDemarches,
  closeIncident,
  declareIncident,
  revokeIncidentSessions,
  sendIncidentNotices,
  type IncidentRefusal,
} from '#src/services/incidents/actions.ts';
import { cnilDocuments } from '#src/services/incidents/cnil.ts';
import { incidentReport, type IncidentReport } from '#src/services/incidents/report.ts';
import { parseMoment, type Say } from './arguments.ts';

export const INCIDENT_USAGE =
  '        npm run agent -- incident declarer --debut <date> --fin <date>|maintenant --description <texte>\n' +
  '        npm run agent -- incident rapport <n°> [--json]\n' +
  '        npm run agent -- incident revoquer-sessions|annuler-demarches|notifier|clore <n°>\n' +
  '        npm run agent -- incident cnil <n°> --pdf <fichier.pdf> --json <fichier.json>\n';

function printReport(r: IncidentReport, out: (line: string) => void): void {
  const i = r.incident;
  const names = (ps: readonly { name: string }[]) => ps.map((p) => p.name).join(', ') || '—';
  out(`Incident n° ${i.id} : ${i.description}`);
  out(`Période : du ${i.startsAt.toISOString()} au ${i.endsAt.toISOString()}`);
  out(
    `Déclaré le ${i.declaredAt.toISOString()} par ${i.declaredBy}${i.closedAt ? ` ; clos le ${i.closedAt.toISOString()}` : ''}`,
  );
  out(
    `Sessions ouvertes pendant la période : ${String(r.sessions.count)} (${String(r.sessions.persons.length)} personnes : ${names(r.sessions.persons)})`,
  );
  out(
    `Affichages examinés : ${String(r.displays.examined)} ; à une personne non habilitée : ${String(r.displays.foreign.length)}`,
  );
  for (const d of r.displays.exposedDossiers) {
    out(
      `  dossier ${d.dossierNumber ?? '(aucun)'} : ${String(d.displays)} affichage(s) à ${names(d.viewers)} — ${d.categories.join(', ')}`,
    );
  }
  out(`Démarches faites pendant la période : ${String(r.demarches.length)}`);
  for (const d of r.demarches) out(`  ${d.id} ${d.kind} ${d.status} ${d.createdAt.toISOString()}`);
  out(
    `Personnes à contacter : ${String(r.contacts.all.length)} (exposées : ${String(r.contacts.exposed.length)}, ayant vu : ${String(r.contacts.exposing.length)})`,
  );
  for (const p of r.contacts.all)
    out(`  ${p.name}${p.hasEmail ? '' : ' (pas de courriel : par courrier)'}`);
  out(`Non concernés (mot de passe changé avant la période) : ${String(r.nonConcernes)} compte(s)`);
}

/** `incident …`: returns the exit code. */
export async function incidentCommand(
  deps: Deps,
  actor: string,
  args: readonly string[],
  say: Say,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      debut: { type: 'string' },
      fin: { type: 'string' },
      description: { type: 'string' },
      pdf: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const [sub, id = ''] = positionals;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const refuse = (r: IncidentRefusal) => {
    say(r.reason === 'unknown' ? 'Aucun incident ne porte ce numéro.' : 'Cet incident est clos.');
    return 1;
  };
  switch (sub) {
    case 'declarer': {
      const startsAt = values.debut ? parseMoment(values.debut) : null;
      const endsAt =
        values.fin === 'maintenant' ? null : values.fin ? parseMoment(values.fin) : undefined;
      const description = values.description?.trim();
      if (!startsAt || endsAt === undefined || !description) {
        say(
          'Précisez --debut, --fin (une date ou « maintenant ») et --description ; dates ISO 8601.',
        );
        return 2;
      }
      const r = await declareIncident(deps, actor, { startsAt, endsAt, description });
      if (!r.ok) {
        say('La fin de la période doit suivre son début.');
        return 1;
      }
      say(
        `Incident n° ${r.incident.id} déclaré : du ${r.incident.startsAt.toISOString()} au ${r.incident.endsAt.toISOString()}.`,
      );
      out(r.incident.id);
      return 0;
    }
    case 'rapport': {
      const report = await incidentReport(deps, id);
      if (!report) {
        say('Aucun incident ne porte ce numéro.');
        return 1;
      }
      if (values.json !== undefined) out(JSON.stringify(report, null, 2));
      else printReport(report, out);
      return 0;
    }
    case 'revoquer-sessions': {
      const r = await revokeIncidentSessions(deps, actor, id);
      if (!r.ok) return refuse(r);
      say(
        `${String(r.revoked)} session(s) fermée(s) (effet à leur prochaine requête, sur chaque instance).`,
      );
      return 0;
    }
    case 'annuler-demarches': {
      const r = await cancelIncidentDemarches(deps, actor, id);
      if (!r.ok) return refuse(r);
      say(
        `${String(r.cancelled)} démarche(s) annulée(s) ; ${String(r.authorsNotified)} auteur(s) prévenu(s).`,
      );
      return 0;
    }
    case 'notifier': {
      const r = await sendIncidentNotices(deps, actor, id);
      if (!r.ok) return refuse(r);
      say(
        `${String(r.sent)} personne(s) prévenue(s) (${String(r.alreadyNotified)} déjà prévenue(s) ; ${String(r.withoutContact)} sans courriel ni mobile : par courrier).`,
      );
      return 0;
    }
    case 'cnil': {
      if (!values.pdf || !values.json) {
        say('Précisez --pdf <fichier.pdf> et --json <fichier.json>.');
        return 2;
      }
      const docs = await cnilDocuments(deps, id);
      if (!docs) {
        say('Aucun incident ne porte ce numéro.');
        return 1;
      }
      writeFileSync(values.pdf, docs.pdf);
      writeFileSync(values.json, `${JSON.stringify(docs.facts, null, 2)}\n`);
      say(`Éléments pour la CNIL écrits : ${values.pdf}, ${values.json}.`);
      return 0;
    }
    case 'clore': {
      const r = await closeIncident(deps, actor, id);
      if (!r.ok && r.reason === 'closed') {
        say('Cet incident était déjà clos.');
        return 0;
      }
      if (!r.ok) return refuse(r);
      say(`Incident n° ${id} clos.`);
      return 0;
    }
    default:
      say(`Usage :\n${INCIDENT_USAGE}`);
      return 2;
  }
}
