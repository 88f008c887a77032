import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HasherOverloadedError } from '#src/services/password-hasher.ts';
import type { UseCases } from '#src/services/use-cases.ts';
import { paths } from '../../paths.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Constant time whatever the lengths: both sides hashed first. */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

const bodySchema = {
  type: 'object',
  required: ['numeroAllocataire', 'motDePasse'],
  additionalProperties: false,
  properties: {
    numeroAllocataire: { type: 'string', maxLength: 32 },
    motDePasse: { type: 'string', maxLength: 32 },
  },
} as const;

interface Body {
  numeroAllocataire: string;
  motDePasse: string;
}

/**
 * The voice server's API (issue 10): JSON, its own scope (no session, no cookie, no page), the
 * server authenticated by a bearer token, every answer computed from this request's number and
 * password only. Registered only when VOICE_SERVER_TOKEN is set.
 */
export async function serveurVocalRoutes(
  app: FastifyInstance,
  opts: { services: UseCases; token: string },
) {
  const { services, token } = opts;
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (!given || !sameToken(given, token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ erreur: 'serveur-non-authentifie' });
    }
  });
  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof HasherOverloadedError) {
      return reply.code(503).header('retry-after', '5').send({ erreur: 'service-sollicite' });
    }
    const status =
      typeof error === 'object' && error !== null && 'statusCode' in error
        ? Number(error.statusCode)
        : 500;
    if (status >= 400 && status < 500) return reply.code(400).send({ erreur: 'requete-invalide' });
    request.log.error({ err: error }, 'serveur vocal');
    return reply.code(500).send({ erreur: 'erreur-interne' });
  });
  app.post<{ Body: Body }>(
    paths.serveurVocal,
    { schema: { body: bodySchema } },
    async (request, reply) => {
      const outcome = await services.phone.consult({
        number: request.body.numeroAllocataire,
        password: request.body.motDePasse,
      });
      switch (outcome.status) {
        case 'ok':
          return reply.send(outcome.answer);
        case 'invalid':
          return reply.code(403).send({ erreur: 'identifiants-invalides' });
        case 'expired':
          return reply.code(403).send({ erreur: 'mot-de-passe-expire' });
        case 'throttled': {
          const seconds = Math.max(1, Math.ceil((outcome.retryAt.getTime() - Date.now()) / 1000));
          return reply
            .code(429)
            .header('retry-after', String(seconds))
            .send({ erreur: 'trop-de-tentatives' });
        }
      }
    },
  );
}
