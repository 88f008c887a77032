import type { Queryable } from '#src/db/pool.ts';
import {
  countAccountsChangedBefore,
  demarchesCreatedIn,
  displaysIn,
  dossierNumbers,
  findIncident,
  membersDuring,
  membershipPeriods,
  personSummaries,
  sessionsCreatedIn,
  type IncidentRow,
  type PersonSummary,
  type WindowDemarche,
} from '#src/db/repositories/incidents.ts';
import type { Deps } from '../deps.ts';
import { foreignCategories } from './entitlement.ts';

/** One display to someone not entitled, as the report lists it. */
export interface ForeignDisplay {
  readonly accessLogId: string;
  readonly at: Date;
  readonly channel: string;
  readonly viewerId: string;
  readonly dossierId: string | null;
  readonly dossierNumber: string | null;
  /** The categories the viewer had no right to see then. */
  readonly categories: readonly string[];
}

export interface ExposedDossier {
  readonly dossierId: string | null;
  readonly dossierNumber: string | null;
  readonly displays: number;
  readonly categories: readonly string[];
  /** To whom: the viewers. */
  readonly viewers: readonly PersonSummary[];
}

export interface IncidentReport {
  readonly incident: IncidentRow;
  readonly sessions: { readonly count: number; readonly persons: readonly PersonSummary[] };
  readonly displays: {
    /** Every access-log row of the window, legitimate or not. */
    readonly examined: number;
    readonly foreign: readonly ForeignDisplay[];
    readonly exposedDossiers: readonly ExposedDossier[];
    readonly categories: readonly string[];
  };
  readonly demarches: readonly WindowDemarche[];
  readonly contacts: {
    /** Members of an exposed dossier during the window. */
    readonly exposed: readonly PersonSummary[];
    /** Viewers who were shown what they had no right to. */
    readonly exposing: readonly PersonSummary[];
    /** Both, once each: who the contact notices go to. */
    readonly all: readonly PersonSummary[];
  };
  /** Accounts whose password changed before the window began ("non concernés"). */
  readonly nonConcernes: number;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** The report of an incident, read in `db` (a transaction of the caller's, or the pool). */
export async function buildIncidentReport(
  db: Queryable,
  incident: IncidentRow,
): Promise<IncidentReport> {
  const { startsAt: from, endsAt: to } = incident;
  const displays = await displaysIn(db, from, to);
  const viewers = sorted(displays.map((d) => d.personId));
  const periods = await membershipPeriods(db, viewers, from, to);
  const foreignRows = displays.flatMap((d) => {
    const categories = foreignCategories(d, periods);
    return categories.length > 0 ? [{ d, categories }] : [];
  });
  const dossierIds = sorted(foreignRows.flatMap(({ d }) => (d.dossierId ? [d.dossierId] : [])));
  const numbers = await dossierNumbers(db, dossierIds);
  const foreign: ForeignDisplay[] = foreignRows.map(({ d, categories }) => ({
    accessLogId: d.id,
    at: d.at,
    channel: d.channel,
    viewerId: d.personId,
    dossierId: d.dossierId,
    dossierNumber: d.dossierId ? (numbers.get(d.dossierId) ?? null) : null,
    categories,
  }));

  const sessions = await sessionsCreatedIn(db, from, to);
  const exposedMembers = await membersDuring(db, dossierIds, from, to);
  const exposingIds = sorted(foreign.map((f) => f.viewerId));
  // A viewer is "exposing", not "exposed", for the dossiers shown to them.
  const exposedIds = sorted(exposedMembers.map((m) => m.personId));
  const allIds = sorted([...exposedIds, ...exposingIds]);
  const sessionIds = sorted(sessions.map((s) => s.personId));
  const people = new Map(
    (await personSummaries(db, sorted([...allIds, ...sessionIds]))).map((p) => [p.id, p]),
  );
  const summaries = (ids: readonly string[]) =>
    ids.flatMap((id) => {
      const p = people.get(id);
      return p ? [p] : [];
    });

  const byDossier = new Map<string, ForeignDisplay[]>();
  for (const f of foreign) {
    const key = f.dossierId ?? '';
    byDossier.set(key, [...(byDossier.get(key) ?? []), f]);
  }
  const exposedDossiers: ExposedDossier[] = [...byDossier.values()].map((rows) => ({
    dossierId: rows[0]?.dossierId ?? null,
    dossierNumber: rows[0]?.dossierNumber ?? null,
    displays: rows.length,
    categories: sorted(rows.flatMap((r) => r.categories)),
    viewers: summaries(sorted(rows.map((r) => r.viewerId))),
  }));

  return {
    incident,
    sessions: { count: sessions.length, persons: summaries(sessionIds) },
    displays: {
      examined: displays.length,
      foreign,
      exposedDossiers,
      categories: sorted(foreign.flatMap((f) => f.categories)),
    },
    demarches: await demarchesCreatedIn(db, from, to),
    contacts: {
      exposed: summaries(exposedIds),
      exposing: summaries(exposingIds),
      all: summaries(allIds),
    },
    nonConcernes: await countAccountsChangedBefore(db, from),
  };
}

export async function incidentReport(
  s: Pick<Deps, 'pool'>,
  incidentId: string,
): Promise<IncidentReport | null> {
  const incident = await findIncident(s.pool, incidentId);
  return incident ? buildIncidentReport(s.pool, incident) : null;
}
