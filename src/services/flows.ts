import type pg from 'pg';
import { withTransaction, type Pool, type Queryable } from '#src/db/pool.ts';
import {
  consumeLiveFlow,
  findLiveFlow,
  insertFlow,
  purgeFlows,
  updateLiveFlow,
} from '#src/db/repositories/flows.ts';
import {
  flowExpiry,
  hashFlowId,
  looksLikeFlowId,
  newFlowId,
  parseFlowState,
  type FlowDefinition,
} from '#src/domain/flow.ts';
import type { Deps } from './deps.ts';

/** Rows are kept a day past their expiry (a replay then still meets a consumed row), then purged. */
const PURGE_AFTER_MS = 24 * 3_600_000;

/** A journey under way, as read from its live row. */
export interface Flow<S> {
  readonly definition: FlowDefinition<S>;
  /** The random id the browser holds (only its hash is stored). */
  readonly id: string;
  readonly personId: string | null;
  readonly state: S;
  readonly version: number;
}

/** Thrown inside a transaction to undo its effect when the flow was taken by another step. */
export class FlowGone extends Error {
  constructor() {
    super('flow consumed, advanced or expired meanwhile');
  }
}

export async function startFlow<S>(
  s: Deps,
  definition: FlowDefinition<S>,
  start: { personId: string | null; state: S },
  db: Queryable = s.pool,
): Promise<Flow<S>> {
  const now = s.now();
  const id = newFlowId();
  // Housekeeping on the pool, never in the caller's transaction (which it would lengthen).
  await purgeFlows(s.pool, new Date(now.getTime() - PURGE_AFTER_MS));
  await insertFlow(db, {
    idHash: hashFlowId(id),
    purpose: definition.name,
    personId: start.personId,
    state: start.state,
    createdAt: now,
    expiresAt: flowExpiry(definition, now),
  });
  return { definition, id, personId: start.personId, state: start.state, version: 0 };
}

/** The live flow of this journey for a cookie's id: same purpose, not consumed, not expired, valid. */
export async function readFlow<S>(
  s: Deps,
  definition: FlowDefinition<S>,
  id: unknown,
  db: Queryable = s.pool,
): Promise<Flow<S> | null> {
  if (!looksLikeFlowId(id)) return null;
  const row = await findLiveFlow(db, hashFlowId(id), definition.name, s.now());
  if (!row) return null;
  const state = parseFlowState(definition, row.state);
  if (state === null) return null;
  return { definition, id, personId: row.personId, state, version: row.version };
}

/** The next state of a step, if no other step moved the flow since it was read; else null. */
export async function advanceFlow<S>(
  s: Deps,
  flow: Flow<S>,
  next: { state: S; personId?: string | null },
  db: Queryable = s.pool,
): Promise<Flow<S> | null> {
  const personId = next.personId === undefined ? flow.personId : next.personId;
  const moved = await updateLiveFlow(
    db,
    hashFlowId(flow.id),
    flow.definition.name,
    flow.version,
    { personId, state: next.state },
    s.now(),
  );
  return moved ? { ...flow, personId, state: next.state, version: flow.version + 1 } : null;
}

/** Ends the flow; call it in the transaction of the step's effect. False: already taken. */
export async function consumeFlow<S>(s: Deps, flow: Flow<S>, db: Queryable): Promise<boolean> {
  return consumeLiveFlow(db, hashFlowId(flow.id), flow.definition.name, flow.version, s.now());
}

/** Like consumeFlow, throwing FlowGone so that the surrounding transaction rolls back. */
export async function consumeFlowOrUndo<S>(s: Deps, flow: Flow<S>, tx: Queryable): Promise<void> {
  if (!(await consumeFlow(s, flow, tx))) throw new FlowGone();
}

/** Like advanceFlow, throwing FlowGone so that the surrounding transaction rolls back. */
export async function advanceFlowOrUndo<S>(
  s: Deps,
  flow: Flow<S>,
  next: { state: S; personId?: string | null },
  tx: Queryable,
): Promise<Flow<S>> {
  const moved = await advanceFlow(s, flow, next, tx);
  if (!moved) throw new FlowGone();
  return moved;
}

/**
 * Reads and consumes at once, for a step whose effect happens outside our database (the OIDC
 * callback: the provider's answer must be usable once, even when it fails our checks).
 */
export async function takeFlow<S>(
  s: Deps,
  definition: FlowDefinition<S>,
  id: unknown,
): Promise<Flow<S> | null> {
  const flow = await readFlow(s, definition, id);
  if (!flow) return null;
  return (await consumeFlow(s, flow, s.pool)) ? flow : null;
}

/** A transaction whose FlowGone (a step lost the race, or a replay) becomes `gone`, undone. */
export async function inFlowTransaction<T>(
  pool: Pool,
  fn: (tx: pg.PoolClient) => Promise<T>,
): Promise<T | 'gone'> {
  return orGone(withTransaction(pool, fn));
}

/** A call whose transaction threw FlowGone, as `gone`. */
export async function orGone<T>(call: Promise<T>): Promise<T | 'gone'> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof FlowGone) return 'gone';
    throw error;
  }
}
