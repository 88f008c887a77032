import type { FastifyInstance } from 'fastify';
import { paths } from './paths.ts';

/** Lower-case path segments under /mon-compte only: no `//`, no backslash, no scheme, no query. */
const AREA_PATH = /^\/mon-compte(?:\/[a-z0-9-]+)*$/;

/**
 * The page to return to after logging in, or null: a local path of the authenticated area that
 * a GET route serves. Checked when stored and again when used (never an open redirect).
 */
export function returnPathOf(app: FastifyInstance, value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 200 || !AREA_PATH.test(value)) return null;
  return app.hasRoute({ method: 'GET', url: value }) ? value : null;
}

/** The page a form posted to `url` was on: the same path, or its nearest parent with a page. */
export function pageOfForm(app: FastifyInstance, url: string): string | null {
  let path = url.split('?')[0] ?? '';
  while (path.startsWith(paths.monCompte)) {
    const page = returnPathOf(app, path);
    if (page) return page;
    path = path.slice(0, path.lastIndexOf('/'));
  }
  return null;
}
