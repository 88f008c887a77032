import autocannon from 'autocannon';

export interface PhaseRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type CheckOutcome = 'ok' | 'mismatch' | 'unverifiable';

export interface Phase {
  readonly baseUrl: string;
  readonly connections: number;
  /** Seconds. */
  readonly duration: number;
  /** Only responses with this status count in req/s and in the latencies. */
  readonly expectedStatus: number;
  /** The n-th request of the phase (n counts across all connections). */
  readonly request: (n: number) => PhaseRequest;
  /** Inspects the response of every `every`-th request that has the expected status. */
  readonly check?: {
    readonly every: number;
    readonly verify: (
      n: number,
      body: string,
      headers: Readonly<Record<string, string | string[] | undefined>>,
    ) => CheckOutcome;
  };
}

export interface Summary {
  readonly count: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

export interface PhaseResult extends Summary {
  readonly connections: number;
  /** Seconds, as measured by autocannon. */
  readonly duration: number;
  /** Responses by status code, the expected one included. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Responses with another status than the expected one. */
  readonly unexpected: number;
  /** Connection errors and timeouts (no response at all). */
  readonly errors: number;
  readonly timeouts: number;
  readonly checks: {
    readonly checked: number;
    readonly mismatches: number;
    readonly unverifiable: number;
  };
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function summarize(latenciesMs: readonly number[], seconds: number): Summary {
  const sorted = Float64Array.from(latenciesMs).sort();
  return {
    count: sorted.length,
    perSecond: seconds > 0 ? sorted.length / seconds : Number.NaN,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
  };
}

/**
 * One autocannon run of `duration` seconds. Latencies are measured here (autocannon's own
 * histogram keeps whole milliseconds and 2xx only): from building a request, just before it is
 * written, to the end of its response, for every response with the expected status.
 */
export async function runPhase(phase: Phase): Promise<PhaseResult> {
  // autocannon gives each request of a connection a fresh context object, passed to both hooks.
  const inFlight = new WeakMap<object, { n: number; start: number }>();
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const checks = { checked: 0, mismatches: 0, unverifiable: 0 };
  let next = 0;

  const result = await autocannon({
    url: phase.baseUrl,
    connections: phase.connections,
    duration: phase.duration,
    pipelining: 1,
    timeout: 10,
    requests: [
      {
        setupRequest: (request, context) => {
          const n = next++;
          const r = phase.request(n);
          inFlight.set(context, { n, start: performance.now() });
          return {
            ...request,
            method: r.method,
            path: r.path,
            headers: { ...request.headers, ...r.headers },
            body: r.body,
          };
        },
        onResponse: (status, body, context, headers) => {
          const end = performance.now();
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const sent = inFlight.get(context);
          if (!sent || status !== phase.expectedStatus) return;
          latencies.push(end - sent.start);
          const check = phase.check;
          if (check && sent.n % check.every === 0) {
            checks.checked++;
            const outcome = check.verify(sent.n, body, headers ?? {});
            if (outcome === 'mismatch') checks.mismatches++;
            else if (outcome === 'unverifiable') checks.unverifiable++;
          }
        },
      },
    ],
  });

  const summary = summarize(latencies, result.duration);
  let unexpected = 0;
  for (const [status, count] of statuses) if (status !== phase.expectedStatus) unexpected += count;
  return {
    ...summary,
    connections: phase.connections,
    duration: result.duration,
    statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
    unexpected,
    errors: result.errors,
    timeouts: result.timeouts,
    checks,
  };
}
