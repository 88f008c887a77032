import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MAX_DOCUMENT_BYTES, type FileProblem } from '#src/services/documents.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { fieldError, formErrors, formValues, mergeErrors, type FormErrors } from '../../forms.ts';
import { paths } from '../../paths.ts';
import { isPlainText, PLAIN_TEXT_MESSAGE } from '../../plain-text.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { dossiersOf, principalOf, sendToLogin } from '../../plugins/session.ts';

const TEMPLATE = 'pages/documents/index.njk';
const RECEIPT = 'pages/documents/accuse-de-reception.njk';
const FREE = 'libre';
const REFERENCE = /^DOC-[A-Z0-9]{4}-[A-Z0-9]{4}$/;

const FILE_MESSAGES: Readonly<Record<FileProblem, string>> = {
  missing: 'Sélectionnez le fichier à envoyer.',
  empty: 'Le fichier sélectionné est vide. Sélectionnez un fichier PDF, JPEG ou PNG.',
  'too-large': 'Le fichier dépasse 10 Mo. Envoyez un fichier plus léger (10 Mo au maximum).',
  type: 'Le fichier doit être au format PDF, JPEG ou PNG. Le format de ce fichier n’est pas accepté.',
};

const documentForm = z
  .object({
    demande: z
      .string({ error: 'Choisissez le document que vous envoyez.' })
      .refine(
        (v) => v === FREE || z.uuid().safeParse(v).success,
        'Choisissez le document que vous envoyez.',
      ),
    description: z
      .string({ error: 'Décrivez le document en une seule ligne.' })
      .trim()
      .max(200, 'La description ne doit pas dépasser 200 caractères.')
      .refine(isPlainText, PLAIN_TEXT_MESSAGE)
      .optional(),
    cle: z.uuid({ error: 'Le formulaire a expiré : rechargez la page.' }),
  })
  .refine((f) => f.demande !== FREE || (f.description ?? '') !== '', {
    path: ['description'],
    message: 'Décrivez le document que vous envoyez. Exemple : attestation de l’employeur.',
  });

const FIELD_ORDER = ['demande', 'description', 'fichier', 'cle'];

/**
 * The multipart body as plain fields and one `{ filename, bytes }` file; a body that cannot be
 * read (no boundary, truncated) is a 400 page, like any other unreadable form.
 */
async function readMultipart(request: FastifyRequest): Promise<Record<string, unknown>> {
  const fields = new Map<string, unknown>();
  const add = (name: string, value: unknown) => {
    const previous = fields.get(name);
    // A repeated name becomes a list, as with url-encoded forms: the schemas refuse it.
    fields.set(name, previous === undefined ? value : [previous, value].flat());
  };
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        add(part.fieldname, { filename: part.filename, bytes: await part.toBuffer() });
      } else {
        add(part.fieldname, part.value);
      }
    }
  } catch (error) {
    throw unreadable(error);
  }
  return Object.fromEntries(fields);
}

function unreadable(error: unknown): Error {
  const status =
    typeof error === 'object' && error !== null && 'statusCode' in error
      ? error.statusCode
      : undefined;
  if (error instanceof Error && typeof status === 'number' && status < 500) return error;
  return Object.assign(new Error('unreadable multipart body', { cause: error }), {
    statusCode: 400,
  });
}

/** The uploaded file as `readMultipart` leaves it in the body. */
function uploadedFile(body: unknown): { filename: string; bytes: Buffer } | null {
  if (typeof body !== 'object' || body === null || !('fichier' in body)) return null;
  const f: unknown = body.fichier;
  if (typeof f !== 'object' || f === null || !('bytes' in f) || !('filename' in f)) return null;
  const { bytes, filename } = f;
  return Buffer.isBuffer(bytes) && typeof filename === 'string' ? { bytes, filename } : null;
}

/** /mon-compte/documents: the documents the Caf asks for, sending them, the receipts. */
export async function documentsRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  // Nobody's upload is read before we know who sends it: anonymous → the login page.
  app.addHook('preValidation', async (request, reply) => {
    if (!request.principal) return sendToLogin(request, reply);
  });
  // Multipart in this journey's scope only. One file; one byte over the limit is enough to know
  // it is too large (the rest is discarded), and the answer is the form with its message.
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: {
      files: 1,
      fileSize: MAX_DOCUMENT_BYTES + 1,
      fields: 6,
      parts: 7,
      fieldSize: 2000,
      fieldNameSize: 50,
      headerPairs: 20,
    },
  });
  // The body is read here, before the CSRF check (a preHandler) that needs its `_csrf` field.
  app.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    request.body = await readMultipart(request);
  });

  const render = async (
    request: FastifyRequest,
    values: Record<string, string>,
    errors: FormErrors | null,
  ) => {
    const page = await s.documents.load(principalOf(request), dossiersOf(request), paths.documents);
    if (!page.ok) throw new ForbiddenError();
    const pending = page.requests.filter((r) => r.status === 'a-envoyer');
    return { page, pending, values, errors };
  };

  app.get(paths.documents, async (request, reply) => {
    const query: unknown = request.query;
    const asked = formValues(query, ['demande']).demande;
    // A fresh key per form shown: submitting it twice records one document.
    const context = await render(
      request,
      { cle: randomUUID(), ...(asked ? { demande: asked } : {}) },
      null,
    );
    return reply.page(TEMPLATE, context);
  });

  app.post(paths.documents, async (request, reply) => {
    const principal = principalOf(request);
    const values = formValues(request.body, ['demande', 'description', 'cle']);
    const form = documentForm.safeParse(request.body);
    const file = uploadedFile(request.body);
    const again = async (errors: FormErrors) =>
      reply
        .code(400)
        .page(
          TEMPLATE,
          await render(request, { ...values, cle: values.cle ?? randomUUID() }, errors),
        );
    if (!form.success) {
      const fileMissing = file === null ? fieldError('fichier', FILE_MESSAGES.missing) : null;
      return again(mergeErrors(formErrors(form.error, FIELD_ORDER), fileMissing, FIELD_ORDER));
    }
    const free = form.data.demande === FREE;
    const sent = await s.documents.send(principal, {
      requestId: free ? null : form.data.demande,
      description: free ? (form.data.description ?? null) : null,
      file,
      idempotencyKey: form.data.cle,
    });
    if (!sent.ok) {
      if (sent.reason === 'file') return again(fieldError('fichier', FILE_MESSAGES[sent.problem]));
      if (sent.reason === 'request') {
        return again(fieldError('demande', 'Choisissez un des documents demandés par la Caf.'));
      }
      throw new ForbiddenError();
    }
    const reference = encodeURIComponent(sent.document.reference);
    return reply.redirect(`${paths.documentsAccuse}?reference=${reference}`, 303);
  });

  app.get(paths.documentsAccuse, async (request, reply) => {
    const query: unknown = request.query;
    const reference = formValues(query, ['reference']).reference ?? '';
    // Only a reference of ours reaches the database (DOC-XXXX-XXXX); anything else is not found.
    if (!REFERENCE.test(reference)) {
      reply.callNotFound();
      return reply;
    }
    const found = await s.documents.receipt(principalOf(request), reference, paths.documentsAccuse);
    if (!found.ok) {
      if (found.reason === 'not-found') {
        reply.callNotFound();
        return reply;
      }
      throw new ForbiddenError();
    }
    return reply.page(RECEIPT, { dossierNumber: found.dossierNumber, document: found.document });
  });
}
