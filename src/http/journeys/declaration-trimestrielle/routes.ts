import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formatEuroInput, parseEuroAmount, type EuroAmountError } from '#src/domain/euro-amount.ts';
import {
  dayLabel,
  monthLabel,
  quarterLabel,
  quarterStartingOn,
  RESOURCE_KINDS,
  RESOURCE_LABELS,
  type ResourceKind,
} from '#src/domain/quarterly-declaration.ts';
import {
  figureKey,
  type DeclarationPage,
  type Figure,
} from '#src/services/quarterly-declaration.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import type { FieldError, FormErrors } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { principalOf } from '../../plugins/session.ts';

const TEMPLATE = 'pages/declaration-trimestrielle/index.njk';

const AMOUNT_MESSAGES: Readonly<Record<EuroAmountError, string>> = {
  format: 'Saisissez un montant en euros, par exemple 1 234,56.',
  decimals: 'Saisissez au plus deux chiffres après la virgule, par exemple 1 234,56.',
  negative: 'Saisissez un montant positif, ou laissez le champ vide si vous n’avez rien perçu.',
  'too-large': 'Saisissez un montant mensuel inférieur à 1 000 000 €.',
};

/** An amount typed in euros: empty → null (nothing received), else integer cents. */
const amountField = z
  .string({ error: AMOUNT_MESSAGES.format })
  .max(40, AMOUNT_MESSAGES.format)
  .transform((v, ctx) => {
    if (v.trim() === '') return null;
    const parsed = parseEuroAmount(v);
    if (parsed.ok) return parsed.cents;
    ctx.addIssue({ code: 'custom', message: AMOUNT_MESSAGES[parsed.error] });
    return z.NEVER;
  });

const envelope = z.object({
  trimestre: z.string().regex(/^\d{4}-\d{2}-01$/),
  version: z.coerce.number().int().min(0).max(1_000_000),
  action: z.enum(['brouillon', 'envoyer']),
  certification: z.literal('on').optional(),
});

/** The form's name for one figure: montant-<person>-<YYYY-MM>-<kind>. */
export function fieldName(personId: string, month: string, kind: ResourceKind): string {
  return `montant-${personId}-${month.slice(0, 7)}-${kind}`;
}

const FIELD = /^montant-([0-9a-f-]{36})-(\d{4}-\d{2})-(salaires|chomage|pensions|autres)$/;

function kindOf(k: string | undefined): ResourceKind | null {
  return RESOURCE_KINDS.find((x) => x === k) ?? null;
}

/** The amounts of the body, by figure key, and each field's French message. */
function parseAmounts(body: Record<string, unknown>) {
  const amounts = new Map<string, number | null>();
  const errors = new Map<string, string>();
  for (const [name, value] of Object.entries(body)) {
    const m = FIELD.exec(name);
    const kind = kindOf(m?.[3]);
    if (!m?.[1] || !m[2] || !kind) continue;
    const parsed = amountField.safeParse(value);
    if (parsed.success) amounts.set(figureKey(m[1], `${m[2]}-01`, kind), parsed.data);
    else errors.set(name, parsed.error.issues[0]?.message ?? AMOUNT_MESSAGES.format);
  }
  return { amounts, errors };
}

/** Errors beside each field, and in the summary named by person, month and kind, in page order. */
function errorsFor(page: DeclarationPage, messages: ReadonlyMap<string, string>): FormErrors {
  const fields: Record<string, FieldError> = {};
  const summary: FieldError[] = [];
  if ('figures' in page) {
    const names = new Map(page.declarants.map((d) => [d.personId, d.name]));
    for (const f of page.figures) {
      const name = fieldName(f.personId, f.month, f.kind);
      const text = messages.get(name);
      if (!text) continue;
      fields[name] = { text, href: `#${name}` };
      summary.push({
        text: `${names.get(f.personId) ?? ''}, ${monthLabel(f.month)}, ${RESOURCE_LABELS[f.kind].toLowerCase()} : ${text}`,
        href: `#${name}`,
      });
    }
  }
  const certification = messages.get('certification');
  if (certification) {
    fields.certification = { text: certification, href: '#certification' };
    summary.push(fields.certification);
  }
  return { fields, summary };
}

function valuesOf(figures: readonly Figure[]): Record<string, string> {
  return Object.fromEntries(
    figures.map((f) => [
      fieldName(f.personId, f.month, f.kind),
      f.amountCents === null ? '' : formatEuroInput(f.amountCents),
    ]),
  );
}

/** What the template needs beside the page: labels computed once, here. */
function labels(page: DeclarationPage) {
  return {
    quarter: 'quarter' in page ? quarterLabel(page.quarter) : '',
    months:
      'quarter' in page ? page.quarter.months.map((m) => ({ month: m, label: monthLabel(m) })) : [],
    closesOn: 'closesOn' in page ? dayLabel(page.closesOn) : '',
    opensOn: page.state === 'closed' ? dayLabel(page.opensOn) : '',
    kinds: RESOURCE_KINDS.map((k) => ({ kind: k, label: RESOURCE_LABELS[k] })),
  };
}

/**
 * /mon-compte/declaration-trimestrielle: the RSA / prime d'activité household declares three
 * months of resources; a draft is kept server-side, the declaration is sent once, then its
 * acknowledgment is a PDF.
 */
export async function declarationTrimestrielleRoutes(
  app: FastifyInstance,
  opts: { services: UseCases },
) {
  const s = opts.services;
  const PATH = paths.declarationTrimestrielle;

  app.get(PATH, async (request, reply) => {
    const page = await s.declaration.load(principalOf(request), PATH);
    if (!page.ok) throw new ForbiddenError();
    const query = z.object({ enregistre: z.literal('1').optional() }).safeParse(request.query);
    return reply.page(TEMPLATE, {
      page,
      labels: labels(page),
      values: 'figures' in page ? valuesOf(page.figures) : {},
      draftSaved: query.success && query.data.enregistre === '1',
      fieldName,
    });
  });

  app.post(PATH, async (request, reply) => {
    const principal = principalOf(request);
    const body = z.record(z.string(), z.unknown()).safeParse(request.body);
    const form = envelope.safeParse(request.body);
    if (!body.success || !form.success)
      return reply.code(400).page('errors/erreur.njk', {
        page: {
          status: 400,
          title: 'Formulaire expiré',
          message:
            'Ce formulaire n’est plus valide. Revenez à la page de la déclaration et rechargez-la.',
        },
      });
    const { amounts, errors } = parseAmounts(body.data);
    const submit = form.data.action === 'envoyer';
    if (submit && form.data.certification !== 'on') {
      errors.set(
        'certification',
        'Cochez la case pour certifier l’exactitude de votre déclaration.',
      );
    }
    if (errors.size > 0) {
      const page = await s.declaration.load(principal, PATH);
      if (!page.ok) throw new ForbiddenError();
      const typed = Object.fromEntries(
        Object.entries(body.data).filter(
          (e): e is [string, string] => FIELD.test(e[0]) && typeof e[1] === 'string',
        ),
      );
      return reply.code(400).page(TEMPLATE, {
        page,
        labels: labels(page),
        values: { ...('figures' in page ? valuesOf(page.figures) : {}), ...typed },
        version: form.data.version,
        certified: form.data.certification === 'on',
        errors: errorsFor(page, errors),
        fieldName,
      });
    }
    const written = await s.declaration.write(
      principal,
      { quarterStart: form.data.trimestre, version: form.data.version, amounts },
      submit,
      PATH,
    );
    if (!written.ok && !('page' in written)) throw new ForbiddenError();
    if (written.ok) {
      return reply.redirect(written.saved === 'draft' ? `${PATH}?enregistre=1` : PATH, 303);
    }
    const { page } = written;
    return reply.code(409).page(TEMPLATE, {
      page,
      labels: labels(page),
      values: 'figures' in page ? valuesOf(page.figures) : {},
      conflict: written.reason,
      fieldName,
    });
  });

  app.get(paths.declarationTrimestrielleAccuse, async (request, reply) => {
    const query = z.object({ trimestre: z.string() }).safeParse(request.query);
    const quarter = query.success ? quarterStartingOn(query.data.trimestre) : null;
    if (!quarter) {
      reply.callNotFound();
      return reply;
    }
    const receipt = await s.declaration.receipt(
      principalOf(request),
      quarter,
      paths.declarationTrimestrielleAccuse,
    );
    if (receipt === null) {
      reply.callNotFound();
      return reply;
    }
    if (!receipt.ok) throw new ForbiddenError();
    const pdf = await s.declaration.receiptPdf(receipt);
    return reply
      .type('application/pdf')
      .header(
        'content-disposition',
        `attachment; filename="accuse-reception-declaration-${quarter.start.slice(0, 7)}.pdf"`,
      )
      .send(pdf);
  });
}
