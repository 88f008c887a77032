/**
 * Text a person can type: no control characters and no lone UTF-16 surrogate (Postgres refuses
 * NUL in text and broken escapes in jsonb; a form must answer a message, not a 500).
 */
export function isPlainText(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return false;
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}

export const PLAIN_TEXT_MESSAGE = 'Ce champ contient des caractères non autorisés.';
