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

/** "2010-05-14" → "14 mai 2010". */
export function dateFr(isoDate: unknown): string {
  if (typeof isoDate !== 'string') return '';
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? '' : dateFormat.format(d);
}

/** 12345 → "123,45 €". */
export function euros(cents: unknown): string {
  return typeof cents === 'number' ? euroFormat.format(cents / 100) : '';
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
