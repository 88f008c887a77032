/**
 * Transition only (issue 11): the shared steps moved to src/http/steps/; foyer and
 * coordonnees-bancaires still import them from here until they move into the /mon-compte/ area.
 */
export { CODE_FAILED, codeForm } from '../../steps/code.ts';
export { contactForm } from '../../steps/contact.ts';
