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
