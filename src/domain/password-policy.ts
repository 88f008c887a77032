/**
 * Password rules (docs/design.md §2): the seed documents' floor (8–24 characters, 1 lowercase,
 * 1 uppercase, 1 digit), then a zxcvbn strength score computed by src/services/password-strength.ts.
 */

export interface PasswordPolicy {
  readonly minLength: number;
  readonly maxLength: number;
  readonly lowercase: boolean;
  readonly uppercase: boolean;
  readonly digit: boolean;
  /**
   * zxcvbn score (0–4) required. 3 is "safely unguessable" (about 10^8 guesses): enough with
   * argon2id and throttled logins, and reachable by a memorable three-word password; 4 would
   * refuse most people's first try.
   */
  readonly minimumScore: number;
}

export const defaultPasswordPolicy: PasswordPolicy = {
  minLength: 8,
  maxLength: 24,
  lowercase: true,
  uppercase: true,
  digit: true,
  minimumScore: 3,
};

export type PasswordRuleProblem =
  | 'too-short'
  | 'too-long'
  | 'lowercase'
  | 'uppercase'
  | 'digit'
  | 'contains-nir'
  | 'contains-birthdate';

/** Easy to guess (a common word, a name, a keyboard pattern…), with zxcvbn's French advice. */
export interface WeakPassword {
  readonly kind: 'weak';
  readonly feedback: readonly string[];
}

export type PasswordProblem = PasswordRuleProblem | WeakPassword;

/** zxcvbn's verdict on one password, in French. */
export interface PasswordStrength {
  /** 0 (guessed in under 10^3 tries) to 4 (over 10^10). */
  readonly score: number;
  /** The warning, then the suggestions. */
  readonly feedback: readonly string[];
}

export interface PasswordOwner {
  /** 13 characters, or null for a person with a provisional identifier. */
  readonly nir: string | null;
  /** YYYY-MM-DD */
  readonly birthdate: string;
}

/** What zxcvbn is told about the person, so that their own data counts as guessable. */
export interface PasswordOwnerDetails extends PasswordOwner {
  readonly givenNames: string;
  readonly familyName: string;
  readonly email: string | null;
}

/** The person's own data as words an attacker who knows them would try first. */
export function ownerWords(owner: PasswordOwnerDetails): string[] {
  const names = `${owner.givenNames} ${owner.familyName}`.split(/[\s'’-]+/).filter(Boolean);
  const email = owner.email
    ? [owner.email, ...(owner.email.split('@')[0] ?? '').split(/[._+-]+/)]
    : [];
  const [year = ''] = owner.birthdate.split('-');
  return [
    ...names,
    ...email,
    ...(owner.nir ? [owner.nir] : []),
    year,
    ...birthdateForms(owner.birthdate),
  ].filter((w) => w.length >= 2);
}

/** The birth date as people type it into passwords: 14052010, 140510, 20100514, 1405… */
function birthdateForms(birthdate: string): string[] {
  const [y = '', m = '', d = ''] = birthdate.split('-');
  return [
    `${d}${m}${y}`,
    `${d}${m}${y.slice(2)}`,
    `${y}${m}${d}`,
    `${y.slice(2)}${m}${d}`,
    `${d}${m}`,
  ];
}

export function passwordProblems(
  password: string,
  owner: PasswordOwner,
  strength: PasswordStrength | null,
  policy: PasswordPolicy = defaultPasswordPolicy,
): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = graphemes(password);
  if (length < policy.minLength) problems.push('too-short');
  if (length > policy.maxLength) problems.push('too-long');
  if (policy.lowercase && !/\p{Ll}/u.test(password)) problems.push('lowercase');
  if (policy.uppercase && !/\p{Lu}/u.test(password)) problems.push('uppercase');
  if (policy.digit && !/\d/.test(password)) problems.push('digit');
  const digits = password.replace(/\D/g, '');
  const compact = password.replace(/\s/g, '').toUpperCase();
  // Six consecutive NIR characters are enough to tie the password to the identifier.
  if (owner.nir && containsRun(compact, owner.nir, 6)) problems.push('contains-nir');
  if (birthdateForms(owner.birthdate).some((f) => f.length >= 6 && digits.includes(f)))
    problems.push('contains-birthdate');
  // Strength is only worth reporting once the floor is met: the rules' messages come first.
  if (problems.length === 0 && strength && strength.score < policy.minimumScore)
    problems.push({ kind: 'weak', feedback: strength.feedback });
  return problems;
}

const segmenter = new Intl.Segmenter('fr', { granularity: 'grapheme' });

/** Characters as a person counts them (é, an emoji with modifiers: one each). */
function graphemes(text: string): number {
  return Array.from(segmenter.segment(text)).length;
}

function containsRun(haystack: string, source: string, run: number): boolean {
  for (let i = 0; i + run <= source.length; i++) {
    if (haystack.includes(source.slice(i, i + run))) return true;
  }
  return false;
}

export function passwordProblemMessage(
  problem: PasswordProblem,
  policy: PasswordPolicy = defaultPasswordPolicy,
): string {
  if (typeof problem !== 'string')
    return ['Ce mot de passe est trop facile à deviner.', ...problem.feedback].join(' ');
  switch (problem) {
    case 'too-short':
      return `Votre mot de passe doit contenir au moins ${policy.minLength} caractères.`;
    case 'too-long':
      return `Votre mot de passe doit contenir au plus ${policy.maxLength} caractères.`;
    case 'lowercase':
      return 'Votre mot de passe doit contenir au moins 1 lettre minuscule.';
    case 'uppercase':
      return 'Votre mot de passe doit contenir au moins 1 lettre majuscule.';
    case 'digit':
      return 'Votre mot de passe doit contenir au moins 1 chiffre.';
    case 'contains-nir':
      return 'Votre mot de passe ne doit pas contenir votre numéro de sécurité sociale.';
    case 'contains-birthdate':
      return 'Votre mot de passe ne doit pas contenir votre date de naissance.';
  }
}
