/** The access matrix of docs/design.md §3, as one pure function. */

export type MemberRole = 'allocataire' | 'conjoint' | 'enfant' | 'autre';

export type Action =
  | 'own-data'
  | 'dossier-summary'
  | 'payments'
  | 'change-bank-details'
  | 'household-requests'
  | 'own-name-requests'
  | 'attestations'
  | 'declare-separation'
  | 'declare-address-change'
  | 'household-letters'
  | 'manage-delegations'
  | 'agent-information';

export interface Membership {
  readonly role: MemberRole;
  readonly delegation: boolean;
  /** Age in whole years on the day of the request. */
  readonly age: number;
}

export const MINIMUM_ACCOUNT_AGE = 15;

type Column = 'allocataire' | 'conjoint+delegation' | 'conjoint' | 'membre+delegation' | 'membre';

const matrix: Readonly<Record<Action, ReadonlySet<Column>>> = {
  'own-data': new Set([
    'allocataire',
    'conjoint+delegation',
    'conjoint',
    'membre+delegation',
    'membre',
  ]),
  'dossier-summary': new Set([
    'allocataire',
    'conjoint+delegation',
    'conjoint',
    'membre+delegation',
  ]),
  payments: new Set(['allocataire', 'conjoint+delegation', 'membre+delegation']),
  'change-bank-details': new Set(['allocataire', 'conjoint+delegation']),
  'household-requests': new Set(['allocataire', 'conjoint+delegation', 'membre+delegation']),
  // The conjoint without delegation: drafts, and requests in their own name (a document asked of
  // them, their part of a declaration); which record qualifies is decided on the record.
  'own-name-requests': new Set([
    'allocataire',
    'conjoint+delegation',
    'conjoint',
    'membre+delegation',
  ]),
  attestations: new Set(['allocataire', 'conjoint+delegation', 'membre+delegation']),
  'declare-separation': new Set(['allocataire', 'conjoint+delegation', 'conjoint']),
  'declare-address-change': new Set(['allocataire', 'conjoint+delegation', 'membre+delegation']),
  'household-letters': new Set(['allocataire', 'conjoint+delegation', 'membre+delegation']),
  'manage-delegations': new Set(['allocataire']),
  'agent-information': new Set(['allocataire', 'conjoint+delegation', 'membre+delegation']),
};

function column(m: Membership): Column {
  switch (m.role) {
    case 'allocataire':
      return 'allocataire';
    case 'conjoint':
      return m.delegation ? 'conjoint+delegation' : 'conjoint';
    case 'enfant':
    case 'autre':
      return m.delegation ? 'membre+delegation' : 'membre';
  }
}

/**
 * May this member perform `action` on their dossier? Limited variants (a conjoint's drafts
 * and own-name requests, letters addressed to oneself) are decided by the caller on the
 * record itself, never here.
 */
export function isAllowed(membership: Membership, action: Action): boolean {
  if (membership.age < MINIMUM_ACCOUNT_AGE) return false;
  return matrix[action].has(column(membership));
}

/** Whole years between `birthdate` (YYYY-MM-DD) and `today`. */
export function ageOn(birthdate: string, today: Date): number {
  const [y, m, d] = birthdate.split('-').map(Number);
  if (y === undefined || m === undefined || d === undefined) throw new RangeError(birthdate);
  const ty = today.getUTCFullYear();
  const beforeBirthday =
    today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d);
  return ty - y - (beforeBirthday ? 1 : 0);
}
