import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as frenchDictionary, translations } from '@zxcvbn-ts/language-fr';
import type { PasswordStrength } from '#src/domain/password-policy.ts';

// Built once when the module is first imported (at start-up): the dictionaries take ~0.2 s to rank.
const zxcvbn = new ZxcvbnFactory({
  translations,
  graphs: adjacencyGraphs,
  dictionary: { ...commonDictionary, ...frenchDictionary },
});

/** zxcvbn's score and French feedback, the person's own data counted as guessable words. */
export function passwordStrength(
  password: string,
  ownerWords: readonly string[],
): PasswordStrength {
  const { score, feedback } = zxcvbn.check(password, [...ownerWords]);
  return {
    score,
    feedback: [...(feedback.warning ? [feedback.warning] : []), ...feedback.suggestions],
  };
}
