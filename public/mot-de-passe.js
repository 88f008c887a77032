// Live feedback on the password policy; the server enforces the same rules without JavaScript.
// Length in characters as a person counts them (graphemes), like src/domain/password-policy.ts:
// "é" typed as e + combining accent, or an emoji with modifiers, is one character.
const segmenter =
  typeof Intl.Segmenter === 'function'
    ? new Intl.Segmenter('fr', { granularity: 'grapheme' })
    : null;
const characters = (v) => (segmenter ? [...segmenter.segment(v)].length : [...v].length);
const rules = {
  length: (v) => characters(v) >= 8 && characters(v) <= 24,
  lowercase: (v) => /\p{Ll}/u.test(v),
  uppercase: (v) => /\p{Lu}/u.test(v),
  digit: (v) => /\d/.test(v),
};
for (const input of document.querySelectorAll('[data-password-rules]')) {
  const group = input.closest('.fr-password');
  input.addEventListener('input', () => {
    for (const [name, test] of Object.entries(rules)) {
      const message = group.querySelector(`[data-rule="${name}"]`);
      if (!message) continue;
      const ok = test(input.value);
      message.classList.toggle('fr-message--info', input.value === '');
      message.classList.toggle('fr-message--valid', input.value !== '' && ok);
      message.classList.toggle('fr-message--error', input.value !== '' && !ok);
    }
  });
}

// zxcvbn's French verdict (the bundles from /static/zxcvbn/, loaded before this module).
// The person's own data is not in the page: the server adds it to the same check.
const MINIMUM_SCORE = 3; // src/domain/password-policy.ts
const zx = globalThis.zxcvbnts;
let factory = null;
const strength = (v) => {
  if (!zx?.core || !zx['language-common'] || !zx['language-fr']) return null;
  factory ??= new zx.core.ZxcvbnFactory({
    translations: zx['language-fr'].translations,
    graphs: zx['language-common'].adjacencyGraphs,
    dictionary: { ...zx['language-common'].dictionary, ...zx['language-fr'].dictionary },
  });
  return factory.check(v);
};
for (const input of document.querySelectorAll('[data-password-rules]')) {
  const message = input.closest('.fr-password').querySelector('[data-strength]');
  if (!message) continue;
  let timer = 0;
  input.addEventListener('input', () => {
    globalThis.clearTimeout(timer);
    // Checked after a pause in typing: screen readers hear one verdict, not one per key.
    timer = globalThis.setTimeout(() => {
      const floorMet = Object.values(rules).every((test) => test(input.value));
      const result = floorMet ? strength(input.value) : null;
      message.hidden = !result;
      if (!result) return;
      const ok = result.score >= MINIMUM_SCORE;
      const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean);
      message.textContent = ok
        ? 'Mot de passe difficile à deviner.'
        : ['Ce mot de passe est trop facile à deviner.', ...advice].join(' ');
      message.classList.remove('fr-message--info');
      message.classList.toggle('fr-message--valid', ok);
      message.classList.toggle('fr-message--error', !ok);
    }, 400);
  });
}
