import { withTransaction } from '#src/db/pool.ts';
import {
  findSheetPerson,
  recentAccessOf,
  recentDemarchesOf,
  searchPersons,
  sheetMemberships,
  throttlesOf,
  type AccessLine,
  type FoundPerson,
  type SheetMembership,
  type SheetPerson,
  type ThrottleLine,
} from '#src/db/repositories/agent-lookup.ts';
import { recordAgentAccess } from '#src/db/repositories/agents.ts';
import type { PersonQuery } from '#src/domain/person-search.ts';
import { activeSessionsOf, type ActiveSessionRow } from '#src/db/repositories/sessions.ts';
import {
  agentMay,
  type AgentPrincipal,
  type ConsultationReason,
} from '#src/domain/agent-access.ts';
import { nirLoginIdentifier } from '../authentication.ts';
import type { Deps } from '../deps.ts';
import { provisionalSubject } from '../provisional-id.ts';
import { accountSubject } from '../throttling.ts';

/** One page of results, never more: a broader search must be narrowed, not paged through. */
export const SEARCH_PAGE = 20;

export type SearchOutcome =
  | { readonly ok: true; readonly people: readonly FoundPerson[]; readonly more: boolean }
  | { readonly ok: false; readonly reason: 'forbidden' };

export async function searchPeople(
  s: Deps,
  agent: AgentPrincipal,
  query: PersonQuery,
): Promise<SearchOutcome> {
  if (!agentMay(agent.role, 'lookup')) return { ok: false, reason: 'forbidden' };
  const rows = await searchPersons(s.pool, query, SEARCH_PAGE + 1);
  return { ok: true, people: rows.slice(0, SEARCH_PAGE), more: rows.length > SEARCH_PAGE };
}

export interface PersonSheet {
  readonly person: SheetPerson;
  readonly memberships: readonly SheetMembership[];
  readonly sessions: readonly ActiveSessionRow[];
  readonly throttles: readonly ThrottleLine[];
  readonly demarches: readonly { kind: string; status: string; createdAt: Date; number: string }[];
  readonly access: readonly AccessLine[];
}

export type SheetOutcome =
  | { readonly ok: true; readonly sheet: PersonSheet }
  | { readonly ok: false; readonly reason: 'forbidden' | 'not-found' };

/** What the sheet shows, for the access-log row. */
const SHEET_CATEGORIES = ['identite', 'coordonnees', 'adresse', 'membres', 'connexions'];

/** The account-scope throttle subjects of a person: their NIR and provisional identifier. */
export function throttleSubjectsOf(
  s: Deps,
  person: { nir: string | null; provisionalId: string | null },
): string[] {
  const ids = [
    person.nir ? nirLoginIdentifier(person.nir) : null,
    person.provisionalId ? provisionalSubject(person.provisionalId) : null,
  ].filter((x): x is string => x !== null);
  return ids.map((id) => accountSubject(s.secrets.throttles, id));
}

/**
 * A person's sheet, read in one transaction with the agent's access-log row (who, why, what was
 * shown): the person later sees in their history that the Caf consulted their file.
 */
export async function openPersonSheet(
  s: Deps,
  agent: AgentPrincipal,
  input: { personId: string; reason: ConsultationReason; route: string },
): Promise<SheetOutcome> {
  if (!agentMay(agent.role, 'lookup')) return { ok: false, reason: 'forbidden' };
  if (!/^[0-9a-f-]{36}$/.test(input.personId)) return { ok: false, reason: 'not-found' };
  return withTransaction(s.pool, async (tx): Promise<SheetOutcome> => {
    const person = await findSheetPerson(tx, input.personId);
    if (!person) return { ok: false, reason: 'not-found' };
    const sheet: PersonSheet = {
      person,
      memberships: await sheetMemberships(tx, person.id),
      sessions: await activeSessionsOf(tx, person.id, s.config.session.idleMs),
      throttles: await throttlesOf(tx, throttleSubjectsOf(s, person)),
      demarches: await recentDemarchesOf(tx, person.id, 5),
      access: await recentAccessOf(tx, person.id, 10),
    };
    await recordAgentAccess(tx, {
      agentId: agent.agentId,
      sessionHash: agent.sessionHash,
      personId: person.id,
      reason: input.reason,
      categories: SHEET_CATEGORIES,
      route: input.route,
    });
    return { ok: true, sheet };
  });
}
