import type { Environment } from 'nunjucks';
import { displayName } from '#src/domain/names.ts';
import { unbreakable } from '../typography.ts';

const dateFormat = new Intl.DateTimeFormat('fr-FR', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const euroFormat = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

// Pages show dozens of dates and amounts (Mes paiements: 24 months), and each Intl `format` call
// costs microseconds. The same text is written by hand from the parts Intl gives once, and used
// only if it matches Intl on samples at start-up (another ICU, another layout: Intl again).

/** "14 mai 2010" from the parts of one date Intl formatted: day, month names, year, literals. */
const dateParts = dateFormat.formatToParts(Date.UTC(2010, 4, 14));
const monthNames = Array.from(
  { length: 12 },
  (_, m) =>
    dateFormat.formatToParts(Date.UTC(2001, m, 1)).find((p) => p.type === 'month')?.value ?? '',
);

function dateByHand(d: Date): string {
  let out = '';
  for (const part of dateParts) {
    if (part.type === 'day') out += String(d.getUTCDate());
    else if (part.type === 'month') out += monthNames[d.getUTCMonth()] ?? '';
    else if (part.type === 'year') out += String(d.getUTCFullYear());
    else out += part.value;
  }
  return out;
}

/** "1 234 567,89 €" from the parts of one amount Intl formatted: separators, symbol, spaces. */
const euroParts = euroFormat.formatToParts(1234567.89);
const euroPart = (type: Intl.NumberFormatPartTypes) =>
  euroParts.find((p) => p.type === type)?.value ?? '';
const euroGroup = euroPart('group');
const euroDecimal = euroPart('decimal');
const euroBefore = euroParts
  .slice(
    0,
    euroParts.findIndex((p) => p.type === 'integer'),
  )
  .map((p) => p.value)
  .join('');
const euroAfter = euroParts
  .slice(euroParts.findIndex((p) => p.type === 'fraction') + 1)
  .map((p) => p.value)
  .join('');

/** Cents a whole number from 0 to 10^15 (whole euros and cents exact in a double). */
function eurosByHand(cents: number): string {
  let units = String(Math.floor(cents / 100));
  let grouped = '';
  while (units.length > 3) {
    grouped = euroGroup + units.slice(-3) + grouped;
    units = units.slice(0, -3);
  }
  const rest = cents % 100;
  return `${euroBefore}${units}${grouped}${euroDecimal}${rest < 10 ? '0' : ''}${String(rest)}${euroAfter}`;
}

const byHandMatchesIntl =
  [0, 1, 9, 10, 99, 100, 105, 15105, 99_999, 100_000, 123_456, 1_234_567, 123_456_789_012].every(
    (c) => eurosByHand(c) === euroFormat.format(c / 100),
  ) &&
  [Date.UTC(2010, 4, 14), Date.UTC(1999, 0, 1), Date.UTC(2026, 11, 31), Date.UTC(2024, 1, 29)]
    .concat(monthNames.map((_, m) => Date.UTC(2025, m, 9)))
    .every((t) => dateByHand(new Date(t)) === dateFormat.format(t));

/** "2010-05-14" → "14 mai 2010". */
export function dateFr(isoDate: unknown): string {
  if (typeof isoDate !== 'string') return '';
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  const year = d.getUTCFullYear();
  if (Number.isNaN(year)) return '';
  return byHandMatchesIntl && year >= 1000 && year <= 9999 ? dateByHand(d) : dateFormat.format(d);
}

/** 12345 → "123,45 €". */
export function euros(cents: unknown): string {
  if (typeof cents !== 'number') return '';
  const byHand =
    byHandMatchesIntl &&
    Number.isInteger(cents) &&
    (cents > 0 || Object.is(cents, 0)) &&
    cents <= 1e15;
  return byHand ? eurosByHand(cents) : euroFormat.format(cents / 100);
}

const roleLabels: Readonly<Record<string, string>> = {
  allocataire: 'Allocataire',
  conjoint: 'Conjoint(e)',
  enfant: 'Enfant',
  autre: 'Autre membre du foyer',
};

export function roleLabel(role: unknown): string {
  return typeof role === 'string' ? (roleLabels[role] ?? role) : '';
}

const dateTimeFormat = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});

/** A moment → "23 novembre 2026 à 14:05" (Paris time). */
export function dateTimeFr(at: unknown): string {
  return at instanceof Date && !Number.isNaN(at.getTime()) ? dateTimeFormat.format(at) : '';
}

const authMethodLabels: Readonly<Record<string, string>> = {
  password: 'Mot de passe',
  franceconnect: 'FranceConnect',
  'franceconnect-plus': 'FranceConnect+',
};

export function authMethod(method: unknown): string {
  return typeof method === 'string' ? (authMethodLabels[method] ?? method) : '';
}

export function registerFilters(env: Environment): void {
  env.addFilter('dateTimeFr', dateTimeFr);
  env.addFilter('authMethod', authMethod);
  env.addFilter('dateFr', dateFr);
  env.addFilter('euros', euros);
  env.addFilter('roleLabel', roleLabel);
  env.addFilter('unbreakable', unbreakable);
  env.addGlobal('displayName', displayName);
}
