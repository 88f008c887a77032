import { z } from 'zod';

/** The contact step: an e-mail address or a mobile number, where a code will be sent. */

export const CONTACT_FIELDS = ['channel', 'email', 'phone'] as const;

/** A French mobile number, stored as 06 12 34 56 78. */
const mobile = z
  .string()
  .transform((v) => v.replace(/[\s.-]/g, '').replace(/^(\+33|0033)/, '0'))
  .pipe(
    z
      .string()
      .regex(
        /^0[67]\d{8}$/,
        'Saisissez un numéro de téléphone mobile, par exemple 06 12 34 56 78.',
      ),
  )
  .transform((v) => v.replace(/(\d{2})(?=\d)/g, '$1 '));

export const contactForm = z.discriminatedUnion(
  'channel',
  [
    z
      .object({
        channel: z.literal('email'),
        email: z
          .string({ error: 'Saisissez votre adresse électronique.' })
          .trim()
          .toLowerCase()
          .pipe(z.email('Saisissez une adresse électronique valide, par exemple nom@exemple.fr.')),
      })
      .transform((f) => ({ channel: f.channel, destination: f.email })),
    z
      .object({
        channel: z.literal('sms'),
        phone: z.string({ error: 'Saisissez votre numéro de téléphone mobile.' }).pipe(mobile),
      })
      .transform((f) => ({ channel: f.channel, destination: f.phone })),
  ],
  { error: 'Choisissez comment recevoir votre code.' },
);
