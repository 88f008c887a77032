import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance } from 'fastify';
import { projectRoot } from '#src/config.ts';

const packageDist = (name: string): string =>
  path.join(path.dirname(createRequire(import.meta.url).resolve(`${name}/package.json`)), 'dist');

const dsfrDist = packageDist('@gouvfr/dsfr');

/** zxcvbn's browser builds (issue 8): the live strength meter, served from our origin for the CSP. */
const zxcvbnBundles = {
  core: packageDist('@zxcvbn-ts/core'),
  common: packageDist('@zxcvbn-ts/language-common'),
  fr: packageDist('@zxcvbn-ts/language-fr'),
} as const;

/**
 * The only cacheable responses: DSFR's files and the app's own public/ folder. Registered as a
 * scope of its own under /static (ADR 0006): no session plugin here, so a session cookie is never
 * read, re-encrypted after a key rotation or set on a response a cache may keep.
 */
export async function staticAssets(app: FastifyInstance): Promise<void> {
  const cache = { cacheControl: true, maxAge: '1d', immutable: false, index: false } as const;
  await app.register(fastifyStatic, { root: dsfrDist, prefix: '/dsfr/', ...cache });
  await app.register(fastifyStatic, {
    root: path.join(projectRoot, 'public'),
    prefix: '/app/',
    decorateReply: false,
    ...cache,
  });
  for (const [name, root] of Object.entries(zxcvbnBundles)) {
    await app.register(fastifyStatic, {
      root,
      prefix: `/zxcvbn/${name}/`,
      decorateReply: false,
      // Only the browser build: the package's other files are not ours to publish.
      allowedPath: (pathName) => pathName === '/zxcvbn-ts.js',
      ...cache,
    });
  }
  // No page layout here (it needs the session for its form token): a file is not a page.
  app.setNotFoundHandler(async (_request, reply) =>
    reply.code(404).type('text/plain; charset=utf-8').send('Fichier introuvable.'),
  );
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'static file failed');
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? 'Erreur inattendue.' : 'Requête invalide.');
  });
}
