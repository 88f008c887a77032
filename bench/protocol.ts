import { z } from 'zod';

/**
 * What bench/server.ts (and bench/bare-server.ts) tell bench/run.ts on stdout, one JSON object a line. `starting` comes
 * before Postgres starts, so the parent can clean up a leftover data directory whatever happens.
 */
const startingMessage = z.object({
  type: z.literal('starting'),
  pgDir: z.string().min(1),
  pgPort: z.number().int(),
});

const readyMessage = z.object({
  type: z.literal('ready'),
  port: z.number().int().min(1),
  households: z.number().int(),
  /** Seconds spent seeding the households (after Postgres, migrations and the hashing). */
  seedSeconds: z.number(),
  /** Seconds of the ANALYZE run after seeding. */
  analyzeSeconds: z.number(),
  /** Adults with an account in the database; `adults` may be an even sample of them. */
  adultsTotal: z.number().int(),
  dbPoolMax: z.number().int(),
  argon2: z.object({
    memoryCost: z.number().int(),
    timeCost: z.number().int(),
    parallelism: z.number().int(),
  }),
  login: z.object({ concurrency: z.number().int(), queueMax: z.number().int() }),
  /**
   * Every adult with an account: NIR, the "Prénom NOM" the header shows once logged in, and
   * whether they are the allocataire (Mes paiements opens to them; a conjoint without delegation
   * gets the 403 page).
   */
  adults: z.array(z.object({ nir: z.string(), name: z.string(), allocataire: z.boolean() })),
});

/** bench/bare-server.ts: the bare Fastify reference is listening. */
const bareMessage = z.object({ type: z.literal('bare'), port: z.number().int().min(1) });

const serverMessage = z.discriminatedUnion('type', [startingMessage, readyMessage, bareMessage]);

export type ServerMessage = z.infer<typeof serverMessage>;
export type ReadyMessage = z.infer<typeof readyMessage>;

export function formatServerMessage(message: ServerMessage): string {
  return JSON.stringify(message) + '\n';
}

/** The message of one stdout line, or null for anything else. */
export function parseServerMessage(line: string): ServerMessage | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = serverMessage.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
