import { channel } from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The floor of answers that must not tell, by their timing, whether a person exists: longer
 * than the slowest branch's own work (a code stored and sent, about 150 ms on loopback SMTP).
 */
export const ANSWER_FLOOR_MS = 400;

/** One message per floored answer: `{ name, floorMs, workMs }`, for monitoring and the tests. */
export const answerFloorChannel = channel('mon-compte:answer-floor');

export interface FlooredAnswer {
  readonly name: string;
  readonly floorMs: number;
  readonly workMs: number;
}

/** A message of `answerFloorChannel` (subscribers receive `unknown`). */
export function isFlooredAnswer(m: unknown): m is FlooredAnswer {
  return typeof m === 'object' && m !== null && 'name' in m && 'floorMs' in m && 'workMs' in m;
}

/**
 * Runs `work` and answers no sooner than `floorMs` after it began, so that branches doing
 * different work (a code sent, or nothing) take the same time. Work that outlasts the floor is
 * published like the rest, so that it shows (and the floor can be raised).
 */
export async function withAnswerFloor<T>(
  name: string,
  floorMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    const workMs = performance.now() - started;
    if (workMs < floorMs) await sleep(floorMs - workMs);
    if (answerFloorChannel.hasSubscribers) {
      const message: FlooredAnswer = { name, floorMs, workMs };
      answerFloorChannel.publish(message);
    }
  }
}
