// Live feedback on the password policy; the server enforces the same rules without JavaScript.
const rules = {
  length: (v) => [...v].length >= 8 && [...v].length <= 24,
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
