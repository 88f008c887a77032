import { nirErrorMessage, parseNir } from './nir.ts';
import { parseProvisionalId } from './provisional-id.ts';

/** What the console searches by; each one an exact match (no partial NIR, no wildcard). */
export type PersonQuery =
  | { readonly kind: 'nir'; readonly nir: string }
  | { readonly kind: 'allocataire'; readonly number: string }
  | { readonly kind: 'provisional'; readonly provisionalId: string }
  | { readonly kind: 'name'; readonly familyName: string; readonly birthdate: string };

export type SearchParse =
  | { readonly ok: true; readonly query: PersonQuery }
  | { readonly ok: false; readonly field: 'q' | 'nom' | 'naissance'; readonly message: string };

/**
 * One field for a number — NIR (13 or 15 characters, spaces tolerated), numéro allocataire (7
 * digits) or identifiant provisoire (P + 10 digits), told apart by shape — or a family name and
 * a birth date (already parsed from JJ/MM/AAAA: null when it did not parse).
 */
export function parsePersonSearch(input: {
  q: string;
  nom: string;
  naissance: string;
  birthdate: string | null;
}): SearchParse {
  const q = input.q.replace(/\s+/g, '').toUpperCase();
  if (q !== '') {
    if (/^[0-9]{7}$/.test(q)) return { ok: true, query: { kind: 'allocataire', number: q } };
    const provisional = parseProvisionalId(q);
    if (provisional.ok)
      return { ok: true, query: { kind: 'provisional', provisionalId: provisional.value } };
    const nir = parseNir(q);
    if (nir.ok) return { ok: true, query: { kind: 'nir', nir: nir.nir.value } };
    return {
      ok: false,
      field: 'q',
      message: /^[0-9AB]{13,15}$/.test(q)
        ? nirErrorMessage(nir.error)
        : 'Saisissez un numéro de sécurité sociale, un numéro allocataire (7 chiffres) ou un identifiant provisoire (P suivi de 10 chiffres).',
    };
  }
  const nom = input.nom.trim();
  if (nom === '' && input.naissance.trim() === '')
    return {
      ok: false,
      field: 'q',
      message: 'Saisissez un numéro, ou un nom de famille et une date de naissance.',
    };
  if (nom === '')
    return { ok: false, field: 'nom', message: 'Saisissez le nom de famille de la personne.' };
  if (input.naissance.trim() === '')
    return {
      ok: false,
      field: 'naissance',
      message: 'Saisissez la date de naissance de la personne.',
    };
  if (!input.birthdate)
    return {
      ok: false,
      field: 'naissance',
      message:
        'Saisissez une date de naissance valide, au format JJ/MM/AAAA. Exemple : 14/05/1985.',
    };
  return { ok: true, query: { kind: 'name', familyName: nom, birthdate: input.birthdate } };
}
