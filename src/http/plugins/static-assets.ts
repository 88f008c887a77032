import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { projectRoot } from '#src/config.ts';
import { paths } from '../paths.ts';

const dsfrDist = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@gouvfr/dsfr/package.json')),
  'dist',
);

/** The only cacheable responses: DSFR's files and the app's own public/ folder. */
export const staticAssets = fp(
  async (app: FastifyInstance) => {
    const cache = { cacheControl: true, maxAge: '1d', immutable: false, index: false } as const;
    await app.register(fastifyStatic, {
      root: dsfrDist,
      prefix: `${paths.staticPrefix}dsfr/`,
      ...cache,
    });
    await app.register(fastifyStatic, {
      root: path.join(projectRoot, 'public'),
      prefix: `${paths.staticPrefix}app/`,
      decorateReply: false,
      ...cache,
    });
  },
  { name: 'static-assets' },
);
