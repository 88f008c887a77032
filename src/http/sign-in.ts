/** Transition only (issue 11): import it from ./format.ts (coordonnees-bancaires still does). */
export { retryTime } from './format.ts';
