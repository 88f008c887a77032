-- Issue 8: a password login from an unknown device is confirmed by a code (ADR 0011); the
-- contact change of Mon profil (010) keeps its purpose.
ALTER TABLE one_time_codes DROP CONSTRAINT IF EXISTS one_time_codes_purpose_check;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_purpose_check
  CHECK (purpose IN ('contact-validation', 'password-recovery', 'strong-auth', 'contact-change', 'new-device'));
