import type { z } from 'zod';

export interface FieldError {
  readonly text: string;
  readonly href: string;
  /** Several rules broken at once: one bullet each, under `text`. */
  readonly items?: readonly string[];
}

export interface FormErrors {
  /** By field name, for the message under each field. */
  readonly fields: Readonly<Record<string, FieldError>>;
  /** In page order, for the DSFR error summary at the top. */
  readonly summary: readonly FieldError[];
}

/** One message per field (the first), linked to the field's id for the error summary. */
export function formErrors(error: z.ZodError, fieldOrder: readonly string[]): FormErrors {
  const fields: Record<string, FieldError> = {};
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? 'form');
    fields[name] ??= { text: issue.message, href: `#${name}` };
  }
  return withSummary(fields, fieldOrder);
}

export function fieldError(name: string, text: string, items?: readonly string[]): FormErrors {
  return withSummary({ [name]: { text, href: `#${name}`, ...(items ? { items } : {}) } }, [name]);
}

/** Two sources of errors for one form (the schema's, a service's): the first's message wins. */
export function mergeErrors(
  first: FormErrors,
  second: FormErrors | null,
  order: readonly string[],
): FormErrors {
  if (!second) return first;
  return withSummary({ ...second.fields, ...first.fields }, order);
}

function withSummary(fields: Record<string, FieldError>, order: readonly string[]): FormErrors {
  const rank = (name: string) => {
    const i = order.indexOf(name);
    return i === -1 ? order.length : i;
  };
  const summary = Object.entries(fields)
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([, e]) => e);
  return { fields, summary };
}

/** The submitted body as plain strings, for re-rendering a form; never includes passwords. */
export function formValues(body: unknown, keep: readonly string[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (typeof body !== 'object' || body === null) return values;
  for (const [k, v] of Object.entries(body)) {
    if (keep.includes(k) && typeof v === 'string') values[k] = v;
  }
  return values;
}

/** The same errors linked to other ids: a page with one form per person names its fields apart. */
export function withFieldIds(errors: FormErrors, idOf: (name: string) => string): FormErrors {
  const fields: Record<string, FieldError> = {};
  for (const [name, e] of Object.entries(errors.fields)) {
    fields[name] = { ...e, href: `#${idOf(name)}` };
  }
  return {
    fields,
    summary: errors.summary.map((e) => ({ ...e, href: `#${idOf(e.href.slice(1))}` })),
  };
}
