import { z } from 'zod';
import { parseParisDateTime } from './paris-time.ts';

const EXAMPLE = 'au format JJ/MM/AAAA HH:MM. Exemple : 24/11/2026 22:00.';

/** A required « JJ/MM/AAAA HH:MM » field (Europe/Paris), its French errors by the field. */
export const moment = (what: string) =>
  z
    .string({ error: `Saisissez ${what}.` })
    .trim()
    .min(1, `Saisissez ${what}.`)
    .transform((v, ctx) => {
      const at = parseParisDateTime(v);
      if (!at) ctx.addIssue({ code: 'custom', message: `Saisissez ${what} valide, ${EXAMPLE}` });
      return at ?? z.NEVER;
    });

/** The same, optional: empty → null. */
export const optionalMoment = (what: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const at = parseParisDateTime(v);
      if (!at) ctx.addIssue({ code: 'custom', message: `Saisissez ${what} valide, ${EXAMPLE}` });
      return at ?? z.NEVER;
    });

export const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform((v) => v || null);

export const checked = z
  .string()
  .optional()
  .transform((v) => v === 'on');
