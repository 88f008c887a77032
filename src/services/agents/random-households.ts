import {
  endRandomHouseholdJob,
  latestRandomHouseholdJob,
  recordRandomHouseholdProgress,
  startRandomHouseholdJob,
  type RandomHouseholdJob,
} from '#src/db/repositories/random-household-jobs.ts';
import { agentMay, type AgentPrincipal } from '#src/domain/agent-access.ts';
import { RANDOM_PASSWORD, seedRandomHouseholds } from '#src/seed/random.ts';
import type { Deps } from '../deps.ts';

export const MAX_RANDOM_HOUSEHOLDS = 10_000;

function allowed(s: Deps, agent: AgentPrincipal): boolean {
  return s.config.env !== 'production' && agentMay(agent.role, 'test-dossiers');
}

export type RandomHouseholdsStart =
  | { readonly ok: true; readonly job: RandomHouseholdJob }
  | { readonly ok: false; readonly reason: 'forbidden' | 'busy' };

/**
 * « Créer des foyers »: records the job (one at a time), then adds the households in this
 * process, batch by batch (src/seed/random.ts), each batch's count written for the progress page.
 */
export async function startRandomHouseholds(
  s: Deps,
  agent: AgentPrincipal,
  count: number,
): Promise<RandomHouseholdsStart> {
  if (!allowed(s, agent)) return { ok: false, reason: 'forbidden' };
  if (!Number.isInteger(count) || count < 1 || count > MAX_RANDOM_HOUSEHOLDS)
    throw new RangeError('count out of bounds');
  const job = await startRandomHouseholdJob(s.pool, agent.agentId, count);
  if (!job) return { ok: false, reason: 'busy' };
  void runJob(s, job);
  return { ok: true, job };
}

async function runJob(s: Deps, job: RandomHouseholdJob): Promise<void> {
  try {
    const passwordHash = await s.hasher.hash(RANDOM_PASSWORD);
    // Progress writes run one after the other, never ahead of the batches they count.
    let progress = Promise.resolve();
    await seedRandomHouseholds(s.pool, {
      count: job.requested,
      passwordHash,
      onProgress: (done) => {
        progress = progress.then(() => recordRandomHouseholdProgress(s.pool, job.id, done));
      },
    });
    await progress;
    await endRandomHouseholdJob(s.pool, job.id, 'finished');
  } catch {
    // The page says it failed; the pool may already be closed when the process stops.
    await endRandomHouseholdJob(s.pool, job.id, 'failed').catch(() => undefined);
  }
}

/** The latest job, for the progress page. */
export async function randomHouseholdsProgress(
  s: Deps,
  agent: AgentPrincipal,
): Promise<{ ok: true; job: RandomHouseholdJob | null } | { ok: false; reason: 'forbidden' }> {
  if (!allowed(s, agent)) return { ok: false, reason: 'forbidden' };
  return { ok: true, job: await latestRandomHouseholdJob(s.pool) };
}
