import PDFDocument from 'pdfkit';
import { incidentAudit, findIncident, type AuditEntry } from '#src/db/repositories/incidents.ts';
import type { Deps } from '../deps.ts';
import { buildIncidentReport, type IncidentReport } from './report.ts';

/** What each access-log category means, in the words of a notification to the CNIL. */
const categoryLabels: Readonly<Record<string, string>> = {
  identite: 'identité (nom, prénoms, date de naissance)',
  coordonnees: 'coordonnées (adresse électronique, téléphone)',
  adresse: 'adresse postale du foyer',
  'situation-familiale': 'situation familiale',
  membres: 'composition du foyer',
  paiements: 'paiements de prestations (dates, montants, prestations)',
  'coordonnees-bancaires': 'coordonnées bancaires (IBAN masqué)',
};

const actionLabels: Readonly<Record<string, string>> = {
  'incident-declare': 'Incident déclaré',
  'incident-revoke-sessions': 'Sessions ouvertes pendant la période fermées',
  'incident-cancel-demarches': 'Démarches faites pendant la période annulées, auteurs prévenus',
  'incident-notify': 'Personnes concernées prévenues',
  'incident-close': 'Incident clos',
};

/** GDPR art. 33(3): the facts of a notification, every number taken from the report. */
export interface CnilFacts {
  readonly incident: { readonly id: string; readonly description: string };
  readonly nature: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly persons: {
    readonly categories: readonly string[];
    /** Approximate: members of the exposed dossiers during the window. */
    readonly exposed: number;
    /** Persons shown data they had no right to see. */
    readonly exposing: number;
    readonly toContact: number;
    readonly sessionsInWindow: number;
    readonly personsWithSessionsInWindow: number;
    readonly notConcerned: number;
  };
  readonly records: {
    readonly displaysExamined: number;
    readonly foreignDisplays: number;
    readonly dossiersExposed: number;
    readonly demarchesInWindow: number;
  };
  readonly dataCategories: readonly string[];
  readonly likelyConsequences: readonly string[];
  readonly measuresTaken: readonly string[];
  readonly measuresProposed: readonly string[];
  readonly timeline: readonly { readonly at: string; readonly event: string }[];
}

function measure(entry: AuditEntry): string | null {
  const d = entry.details;
  const n = (k: string) => {
    const v = d[k];
    return typeof v === 'number' ? String(v) : '0';
  };
  switch (entry.action) {
    case 'incident-revoke-sessions':
      return `${n('revoked')} session(s) ouverte(s) pendant la période fermée(s).`;
    case 'incident-cancel-demarches':
      return `${n('cancelled')} démarche(s) faite(s) pendant la période annulée(s) ; ${n('authorsNotified')} auteur(s) prévenu(s) avec le motif.`;
    case 'incident-notify':
      return `${n('sent')} personne(s) concernée(s) prévenue(s) individuellement.`;
    default:
      return null;
  }
}

export function cnilFacts(report: IncidentReport, audit: readonly AuditEntry[]): CnilFacts {
  const { incident, displays, contacts, sessions } = report;
  const timeline = [
    { at: incident.startsAt, event: 'Début de la période de l’incident' },
    { at: incident.endsAt, event: 'Fin de la période de l’incident' },
    ...audit.map((e) => ({ at: e.at, event: actionLabels[e.action] ?? e.action })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    incident: { id: incident.id, description: incident.description },
    nature:
      'Violation de la confidentialité : des données de dossiers d’allocataires ont été affichées, sur Mon Compte, à des personnes qui n’y avaient pas droit selon la matrice d’accès en vigueur au moment de l’affichage.',
    period: { start: incident.startsAt.toISOString(), end: incident.endsAt.toISOString() },
    persons: {
      categories: ['Allocataires et membres de leur foyer (conjoints, enfants de 15 ans ou plus)'],
      exposed: contacts.exposed.length,
      exposing: contacts.exposing.length,
      toContact: contacts.all.length,
      sessionsInWindow: sessions.count,
      personsWithSessionsInWindow: sessions.persons.length,
      notConcerned: report.nonConcernes,
    },
    records: {
      displaysExamined: displays.examined,
      foreignDisplays: displays.foreign.length,
      dossiersExposed: displays.exposedDossiers.length,
      demarchesInWindow: report.demarches.length,
    },
    dataCategories: displays.categories.map((c) => categoryLabels[c] ?? c),
    likelyConsequences: [
      'Atteinte à la vie privée des personnes dont les données ont été affichées.',
      'Risque d’hameçonnage ou d’usurpation d’identité à partir des informations affichées.',
      'Démarches faites pendant la période annulées : à refaire par leurs auteurs.',
    ],
    measuresTaken: audit.flatMap((e) => {
      const m = measure(e);
      return m ? [m] : [];
    }),
    measuresProposed: [
      'Correction de la cause et test de non-régression sur la matrice d’accès.',
      'Surveillance renforcée du journal des accès.',
      'Invitation des personnes concernées à vérifier leurs informations et à changer leur mot de passe.',
    ],
    timeline: timeline.map((t) => ({ at: t.at.toISOString(), event: t.event })),
  };
}

const paris = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});
const when = (iso: string) => paris.format(new Date(iso));

/** The same facts as a PDF for the CNIL's notification form. */
export async function cnilPdf(facts: CnilFacts): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: `Incident ${facts.incident.id}` },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => {
    chunks.push(c);
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    doc.on('error', reject);
  });
  const h = (t: string) =>
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(12).text(t).font('Helvetica').fontSize(10);
  const list = (xs: readonly string[]) => {
    for (const x of xs) doc.text(`• ${x}`);
  };
  doc.font('Helvetica-Bold').fontSize(16).text('Notification de violation de données personnelles');
  doc
    .font('Helvetica')
    .fontSize(10)
    .text(`Éléments prévus par l’article 33(3) du RGPD — incident n° ${facts.incident.id}`);
  h('Description');
  doc.text(facts.incident.description);
  h('Nature de la violation');
  doc.text(facts.nature);
  doc.text(`Période : du ${when(facts.period.start)} au ${when(facts.period.end)}.`);
  h('Personnes concernées');
  list(facts.persons.categories);
  list([
    `Personnes dont les données ont été exposées (approximatif) : ${String(facts.persons.exposed)}`,
    `Personnes à qui ces données ont été affichées : ${String(facts.persons.exposing)}`,
    `Personnes à contacter : ${String(facts.persons.toContact)}`,
    `Sessions ouvertes pendant la période : ${String(facts.persons.sessionsInWindow)} (${String(facts.persons.personsWithSessionsInWindow)} personnes)`,
    `Comptes non concernés (mot de passe changé avant la période) : ${String(facts.persons.notConcerned)}`,
  ]);
  h('Enregistrements concernés');
  list([
    `Affichages examinés : ${String(facts.records.displaysExamined)}`,
    `Affichages à une personne non habilitée : ${String(facts.records.foreignDisplays)}`,
    `Dossiers exposés : ${String(facts.records.dossiersExposed)}`,
    `Démarches faites pendant la période : ${String(facts.records.demarchesInWindow)}`,
  ]);
  h('Catégories de données');
  list(facts.dataCategories.length > 0 ? facts.dataCategories : ['Aucune']);
  h('Conséquences probables');
  list(facts.likelyConsequences);
  h('Mesures prises');
  list(facts.measuresTaken.length > 0 ? facts.measuresTaken : ['Aucune à ce jour']);
  h('Mesures proposées');
  list(facts.measuresProposed);
  h('Chronologie');
  list(facts.timeline.map((t) => `${when(t.at)} : ${t.event}`));
  doc.end();
  return done;
}

/** The facts of an incident, JSON and PDF, from its report and its audit trail. */
export async function cnilDocuments(
  s: Pick<Deps, 'pool'>,
  incidentId: string,
): Promise<{ facts: CnilFacts; pdf: Buffer; report: IncidentReport } | null> {
  const incident = await findIncident(s.pool, incidentId);
  if (!incident) return null;
  const report = await buildIncidentReport(s.pool, incident);
  const facts = cnilFacts(report, await incidentAudit(s.pool, incident.id));
  return { facts, pdf: await cnilPdf(facts), report };
}
