import type { Deps } from './deps.ts';

/**
 * Transition only (issue 11): the dependency bag under its old name, for the
 * /mon-compte/* journeys and their services until they call `services.<group>.<useCase>`.
 * Routes get `UseCases` (./use-cases.ts); delete this module once nothing imports it.
 */
export type Services = Deps;
