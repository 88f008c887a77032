// Identifiant provisoire: issued by the Caf to a person who has no NIR yet (newly arrived,
// registration with the INSEE pending). Format of this portal: "P", the 4-digit year of issue,
// then a 6-digit serial, e.g. P2026004817. Spaces are tolerated and the letter may be typed
// in lower case.

export type ProvisionalIdError = 'empty' | 'looks-like-nir' | 'format';

export type ProvisionalIdParseResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly error: ProvisionalIdError };

const SHAPE = /^P[0-9]{10}$/;
/** 13 or 15 characters of digits (and 2A/2B): someone typed a NIR or a NIA. */
const NIR_LIKE = /^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{6}(?:[0-9]{2})?$/;

export function normalizeProvisionalIdInput(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}

export function parseProvisionalId(input: string): ProvisionalIdParseResult {
  const normalized = normalizeProvisionalIdInput(input);
  if (normalized === '') return { ok: false, error: 'empty' };
  if (SHAPE.test(normalized)) return { ok: true, value: normalized };
  // A NIA (7 or 8 first) is the number of the INSEE, not the Caf's provisional identifier.
  if (NIR_LIKE.test(normalized) && !/^[78]/.test(normalized)) {
    return { ok: false, error: 'looks-like-nir' };
  }
  return { ok: false, error: 'format' };
}

export function isProvisionalId(input: string): boolean {
  return SHAPE.test(input);
}

const MESSAGES: Readonly<Record<ProvisionalIdError, string>> = {
  empty: 'Saisissez votre identifiant provisoire.',
  'looks-like-nir':
    'Ce numéro ressemble à un numéro de sécurité sociale : connectez-vous avec « Se connecter avec son numéro de sécurité sociale ».',
  format:
    'L’identifiant provisoire commence par la lettre P suivie de 10 chiffres. Exemple : P2026004817.',
};

export function provisionalIdErrorMessage(error: ProvisionalIdError): string {
  return MESSAGES[error];
}
