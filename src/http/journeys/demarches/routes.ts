import type { FastifyInstance } from 'fastify';
import { quarterLabel, quarterStartingOn } from '#src/domain/quarterly-declaration.ts';
import type { DemarcheListRow } from '#src/services/demarches.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { paths } from '../../paths.ts';
import { ForbiddenError } from '../../plugins/errors.ts';
import { dossiersOf, principalOf } from '../../plugins/session.ts';

const KIND_LABELS: Readonly<Record<string, string>> = {
  separation: 'Déclaration de séparation',
  'changement-adresse': 'Changement d’adresse',
  'declaration-trimestrielle': 'Déclaration trimestrielle de ressources',
  document: 'Envoi de document',
};

const STATUS = {
  brouillon: { label: 'Brouillon', badge: 'fr-badge--new' },
  envoyee: { label: 'Envoyée', badge: 'fr-badge--info' },
  'en-cours': { label: 'En cours de traitement', badge: 'fr-badge--info' },
  traitee: { label: 'Traitée', badge: 'fr-badge--success' },
  annulee: { label: 'Annulée', badge: 'fr-badge--error' },
} as const;

/** Where a draft of each kind is resumed. */
const RESUME: Readonly<Record<string, string>> = {
  'declaration-trimestrielle': paths.declarationTrimestrielle,
  'changement-adresse': paths.changementAdresse,
  document: paths.documents,
  separation: paths.separation,
};

function rowView(d: DemarcheListRow) {
  const quarter = d.quarter ? quarterStartingOn(d.quarter) : null;
  const detail = quarter ? quarterLabel(quarter) : (d.title ?? null);
  return {
    id: d.id,
    label: KIND_LABELS[d.kind] ?? d.kind,
    detail,
    status: STATUS[d.status],
    statusCode: d.status,
    createdAt: d.createdAt,
    statusChangedAt: d.statusChangedAt,
    cancelReason: d.status === 'annulee' ? d.cancelReason : null,
    resume: d.status === 'brouillon' ? (RESUME[d.kind] ?? null) : null,
    receipt:
      quarter && (d.status === 'envoyee' || d.status === 'en-cours' || d.status === 'traitee')
        ? `${paths.declarationTrimestrielleAccuse}?trimestre=${quarter.start}`
        : null,
  };
}

/** /mon-compte/demarches: the démarches of the household (or one's own) and their status. */
export async function demarchesRoutes(app: FastifyInstance, opts: { services: UseCases }) {
  const s = opts.services;

  app.get(paths.demarches, async (request, reply) => {
    const page = await s.demarches.load(principalOf(request), dossiersOf(request), paths.demarches);
    if (!page.ok) {
      if (page.reason === 'no-dossier')
        return reply.page('pages/demarches/index.njk', { page: null });
      throw new ForbiddenError();
    }
    return reply.page('pages/demarches/index.njk', { page, rows: page.demarches.map(rowView) });
  });
}
