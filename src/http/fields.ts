import { z } from 'zod';
import { nirErrorMessage, parseNir } from '#src/domain/nir.ts';

/** Form fields shared by several journeys, with their French messages. */

export const nirField = z
  .string({ error: 'Saisissez votre numéro de sécurité sociale.' })
  .trim()
  .min(1, 'Saisissez votre numéro de sécurité sociale.')
  .transform((input, ctx) => {
    const parsed = parseNir(input);
    if (parsed.ok) return parsed.nir.value;
    ctx.addIssue({ code: 'custom', message: nirErrorMessage(parsed.error) });
    return z.NEVER;
  });

/** JJ/MM/AAAA (also with dots, dashes or spaces) → YYYY-MM-DD, or null. */
export function parseFrenchDate(v: string): string | null {
  const m = /^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})$/.exec(v);
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1) return null;
  return date.toISOString().slice(0, 10);
}

/** A date typed as text (JJ/MM/AAAA), with its French messages: every date field of the portal. */
export function dateField(messages: { readonly missing: string; readonly invalid: string }) {
  return z
    .string({ error: messages.missing })
    .trim()
    .min(1, messages.missing)
    .transform((v, ctx) => {
      const date = parseFrenchDate(v);
      if (date) return date;
      ctx.addIssue({ code: 'custom', message: messages.invalid });
      return z.NEVER;
    });
}

export const birthdateField = dateField({
  missing: 'Saisissez votre date de naissance.',
  invalid: 'Saisissez une date de naissance valide, au format JJ/MM/AAAA. Exemple : 14/05/1985.',
});
