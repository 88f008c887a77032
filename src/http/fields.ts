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

/** JJ/MM/AAAA (also with dots, dashes or spaces) → YYYY-MM-DD. */
export const birthdateField = z
  .string({ error: 'Saisissez votre date de naissance.' })
  .trim()
  .min(1, 'Saisissez votre date de naissance.')
  .transform((v, ctx) => {
    const m = /^(\d{1,2})[/.\-\s](\d{1,2})[/.\-\s](\d{4})$/.exec(v);
    const [d, mo, y] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (!m || date.getUTCDate() !== d || date.getUTCMonth() !== mo - 1 || y < 1900) {
      ctx.addIssue({
        code: 'custom',
        message:
          'Saisissez une date de naissance valide, au format JJ/MM/AAAA. Exemple : 14/05/1985.',
      });
      return z.NEVER;
    }
    return date.toISOString().slice(0, 10);
  });
