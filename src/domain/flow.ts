import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';

/**
 * A multi-step journey as one explicit description: its name (the `purpose` of its rows), the
 * schema of its state, and how long it may stay open. ADR 0007.
 */
export interface FlowDefinition<S> {
  readonly name: string;
  readonly schema: z.ZodType<S>;
  readonly ttlMs: number;
}

export type FlowState<D> = D extends FlowDefinition<infer S> ? S : never;

export function defineFlow<S>(
  name: string,
  schema: z.ZodType<S>,
  ttlMs: number,
): FlowDefinition<S> {
  return { name, schema, ttlMs };
}

/** The random id a browser holds: 32 bytes, so always 43 base64url characters. */
export function newFlowId(): string {
  return randomBytes(32).toString('base64url');
}

/** Rows are keyed by the hash of the id, never the id itself. */
export function hashFlowId(id: string): Buffer {
  return createHash('sha256').update(id).digest();
}

export function flowExpiry<S>(definition: FlowDefinition<S>, now: Date): Date {
  return new Date(now.getTime() + definition.ttlMs);
}

/** A row's state as its journey declares it, or null (an old shape, a tampered row). */
export function parseFlowState<S>(definition: FlowDefinition<S>, raw: unknown): S | null {
  const parsed = definition.schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Whether a cookie value may be a flow id at all, before any query. */
export function looksLikeFlowId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);
}
