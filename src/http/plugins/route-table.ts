import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface RouteEntry {
  readonly method: string;
  readonly url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route and method registered, as Fastify announced them: what the header tests walk. */
    readonly routeTable: readonly RouteEntry[];
  }
}

/** Registered first, so that no route of any scope escapes the onRoute hook. */
export const routeTable = fp(
  async (app: FastifyInstance) => {
    const table: RouteEntry[] = [];
    app.decorate('routeTable', table);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) table.push({ method, url: route.url });
    });
  },
  { name: 'route-table' },
);
