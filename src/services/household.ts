import { withTransaction, type Queryable } from '#src/db/pool.ts';
import {
  insertDemarche,
  listHousehold,
  recordAudit,
  setDelegation,
  type HouseholdMember,
} from '#src/db/repositories/household.ts';
import { insertInvitation, type InvitationChannel } from '#src/db/repositories/invitations.ts';
import { findPersonById } from '#src/db/repositories/persons.ts';
import {
  ageOn,
  isAllowed,
  MINIMUM_ACCOUNT_AGE,
  type Action,
  type Membership,
  type MemberRole,
} from '#src/domain/access.ts';
import {
  generateInvitationCode,
  hashInvitationCode,
  INVITATION_TTL_MS,
} from '#src/domain/invitation.ts';
import { displayName } from '#src/domain/names.ts';
import type { Principal } from '#src/domain/principal.ts';
import { loadFoyerRows } from '#src/db/repositories/foyer-page.ts';
import {
  chooseDossier,
  dossierFor,
  type DossierAccess,
  type DossierRefusal,
  type Shown,
} from './dossier-access.ts';
import type { Deps } from './deps.ts';
import { notify } from './notices.ts';
import { decidedOnMemberships, heldOf, STALE } from './page-statement.ts';

/** The principal's place in the dossier a household page acts in (services/dossier-access.ts). */
export interface Household {
  readonly dossierId: string;
  readonly dossierNumber: string;
  readonly address: string;
  readonly membership: Membership & { readonly role: MemberRole };
}

function householdFrom({ dossier, membership }: DossierAccess): Household {
  return {
    dossierId: dossier.id,
    dossierNumber: dossier.number,
    address: [dossier.addressLine1, dossier.addressLine2, `${dossier.postcode} ${dossier.city}`]
      .filter(Boolean)
      .join('\n'),
    membership,
  };
}

/** The household of the dossier that allows `action`, or the refusal. */
export async function householdFor(
  s: Deps,
  principal: Principal,
  action: Action,
  options: { shown?: Shown; tx?: Queryable } = {},
): Promise<{ ok: true; household: Household } | DossierRefusal> {
  const access = await dossierFor(s, principal, action, options);
  return access.ok ? { ok: true, household: householdFrom(access) } : access;
}

export interface MemberView extends HouseholdMember {
  readonly age: number;
  readonly isSelf: boolean;
  /** The allocataire may invite this member (aged 15 or more, no account yet). */
  readonly invitable: boolean;
  /** The allocataire may grant or revoke this member's delegation. */
  readonly delegable: boolean;
}

export function canHaveAccount(age: number): boolean {
  return age >= MINIMUM_ACCOUNT_AGE;
}

async function membersOf(
  db: Queryable,
  today: Date,
  principal: Principal,
  household: Household,
): Promise<MemberView[]> {
  return memberViews(
    await listHousehold(db, household.dossierId, today),
    today,
    principal,
    household,
  );
}

function memberViews(
  members: readonly HouseholdMember[],
  today: Date,
  principal: Principal,
  household: Household,
): MemberView[] {
  const manager = isAllowed(household.membership, 'manage-delegations');
  return members.map((m) => {
    const age = ageOn(m.birthdate, today);
    const isSelf = m.personId === principal.personId;
    return {
      ...m,
      age,
      isSelf,
      invitable: manager && !isSelf && !m.hasAccount && canHaveAccount(age),
      delegable: manager && !isSelf && m.role !== 'allocataire' && canHaveAccount(age),
    };
  });
}

export interface FoyerPage {
  readonly ok: true;
  readonly household: Household;
  readonly members: readonly MemberView[];
  /** The allocataire: invitations and delegations. */
  readonly manager: boolean;
}

/**
 * `/mon-compte/foyer`: the members of the dossier that allows `action` (the summary; a form's
 * action when the page comes back with its errors), logged as shown. One statement (ADR 0014):
 * the matrix decides on the memberships read with the session, the statement re-checks them,
 * reads and logs.
 */
export async function loadFoyer(
  s: Pick<Deps, 'pool' | 'now'>,
  principal: Principal,
  signedIn: readonly DossierAccess[],
  route: string,
  action: 'dossier-summary' | 'manage-delegations' = 'dossier-summary',
): Promise<FoyerPage | DossierRefusal> {
  return decidedOnMemberships(s, principal, signedIn, 'Mon foyer', async (dossiers) => {
    const access = chooseDossier(dossiers, action);
    if (!access.ok) return access;
    const household = householdFrom(access);
    const now = s.now();
    const rows = await loadFoyerRows(s.pool, {
      personId: principal.personId,
      sessionHash: principal.sessionHash,
      route,
      held: heldOf(dossiers),
      dossierId: household.dossierId,
      now,
      categories: ['membres'],
    });
    if (!rows.fresh) return STALE;
    const members = memberViews(rows.members, now, principal, household);
    const manager = isAllowed(household.membership, 'manage-delegations');
    return { ok: true, household, members, manager };
  });
}

export type HouseholdRefusal =
  DossierRefusal['reason'] | 'not-member' | 'too-young' | 'has-account';

async function memberOf(s: Deps, principal: Principal, household: Household, memberId: string) {
  const members = await membersOf(s.pool, s.now(), principal, household);
  return members.find((m) => m.personId === memberId) ?? null;
}

/** The allocataire sends an activation code to a member aged 15 or more. */
export async function inviteMember(
  s: Deps,
  principal: Principal,
  input: {
    memberId: string;
    channel: InvitationChannel;
    destination: string | null;
    /** The « Activer mon compte » page's address, on the portal's public origin. */
    activationUrl: string;
  },
): Promise<
  { ok: true; member: MemberView; code: string } | { ok: false; reason: HouseholdRefusal }
> {
  const found = await householdFor(s, principal, 'manage-delegations');
  if (!found.ok) return found;
  const { household } = found;
  const member = await memberOf(s, principal, household, input.memberId);
  if (!member || member.isSelf) return { ok: false, reason: 'not-member' };
  if (!canHaveAccount(member.age)) return { ok: false, reason: 'too-young' };
  if (member.hasAccount) return { ok: false, reason: 'has-account' };
  const destination =
    input.channel === 'courrier'
      ? `${displayName(member.givenName, member.familyName)}\n${household.address}`
      : (input.destination ?? '');
  const code = generateInvitationCode();
  const now = s.now();
  await withTransaction(s.pool, async (tx) => {
    await insertInvitation(tx, {
      dossierId: household.dossierId,
      personId: member.personId,
      invitedBy: { person: principal.personId },
      channel: input.channel,
      destination,
      codeHash: hashInvitationCode(s.secrets.codes, member.personId, code),
      createdAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_TTL_MS[input.channel]),
    });
    await recordAudit(tx, {
      actorPersonId: principal.personId,
      action: 'invitation',
      dossierId: household.dossierId,
      targetPersonId: member.personId,
      details: { channel: input.channel },
    });
    await s.outbox.enqueue(
      tx,
      {
        channel: input.channel,
        to: destination,
        subject: 'Votre invitation à créer votre compte Mon Compte',
        text: `Bonjour ${member.givenName},\n\n${principal.displayName} vous invite à créer votre compte personnel sur Mon Compte, l’espace de la Caf (dossier n° ${household.dossierNumber}).\n\nRendez-vous sur la page « Activer mon compte » (${input.activationUrl}) avec votre numéro de sécurité sociale et ce code d’activation : ${code}\n\nCe code est valable ${input.channel === 'courrier' ? '30' : '7'} jours. Ne le communiquez à personne.`,
      },
      'code',
    );
  });
  return { ok: true, member, code };
}

/** The allocataire grants or revokes a delegation; both people are told; it is audited. */
export async function changeDelegation(
  s: Deps,
  principal: Principal,
  memberId: string,
  grant: boolean,
): Promise<{ ok: true; member: MemberView } | { ok: false; reason: HouseholdRefusal }> {
  const found = await householdFor(s, principal, 'manage-delegations');
  if (!found.ok) return found;
  const { household } = found;
  const member = await memberOf(s, principal, household, memberId);
  if (!member || !member.delegable) {
    return {
      ok: false,
      reason: member && !canHaveAccount(member.age) ? 'too-young' : 'not-member',
    };
  }
  await withTransaction(s.pool, async (tx) => {
    await setDelegation(tx, household.dossierId, member.personId, grant);
    await recordAudit(tx, {
      actorPersonId: principal.personId,
      action: grant ? 'delegation-accordee' : 'delegation-retiree',
      dossierId: household.dossierId,
      targetPersonId: member.personId,
    });
    const what = grant ? 'a donné délégation à' : 'a retiré la délégation de';
    const text = `Bonjour,\n\n${principal.displayName} ${what} ${displayName(member.givenName, member.familyName)} sur le dossier n° ${household.dossierNumber}. Ce changement s’applique immédiatement.`;
    for (const personId of [principal.personId, member.personId]) {
      const person = await findPersonById(tx, personId);
      const subject = grant ? 'Délégation accordée' : 'Délégation retirée';
      if (person) await notify(s, person, subject, text, tx);
    }
  });
  return { ok: true, member };
}

/**
 * A member of the couple declares a separation: the conjoint's delegation ends, the démarche is
 * recorded once (idempotency key from the form), both people are told.
 */
export async function declareSeparation(
  s: Deps,
  principal: Principal,
  input: { date: string; idempotencyKey: string },
): Promise<{ ok: true; created: boolean; household: Household } | DossierRefusal> {
  const found = await householdFor(s, principal, 'declare-separation');
  if (!found.ok) return found;
  const { household } = found;
  const members = await listHousehold(s.pool, household.dossierId, s.now());
  const couple = members.filter((m) => m.role === 'allocataire' || m.role === 'conjoint');
  const created = await withTransaction(s.pool, async (tx) => {
    const inserted = await insertDemarche(tx, {
      dossierId: household.dossierId,
      authorPersonId: principal.personId,
      kind: 'separation',
      details: { date: input.date },
      idempotencyKey: input.idempotencyKey,
    });
    if (!inserted) return false;
    for (const m of couple.filter((c) => c.role === 'conjoint' && c.delegation)) {
      await setDelegation(tx, household.dossierId, m.personId, false);
    }
    await recordAudit(tx, {
      actorPersonId: principal.personId,
      action: 'separation-declaree',
      dossierId: household.dossierId,
      targetPersonId: null,
      details: { date: input.date },
    });
    for (const m of couple) {
      const person = await findPersonById(tx, m.personId);
      if (person)
        await notify(
          s,
          person,
          'Déclaration de séparation enregistrée',
          `Bonjour ${person.given_name},\n\n${principal.displayName} a déclaré une séparation au ${input.date.split('-').reverse().join('/')} sur le dossier n° ${household.dossierNumber}. La délégation éventuelle du conjoint a pris fin. La Caf étudiera la situation et vous écrira.`,
          tx,
        );
    }
    return true;
  });
  return { ok: true, created, household };
}
