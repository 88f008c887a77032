-- Mon profil (issue 8): the authentication history, a public handle for each session, the
-- one-time codes that prove a new contact.

-- Successes and failures of a login, for the person's own "Historique de connexion". Only rows
-- of a known person (never keyed by an identifier typed); no IP address: the person reads the
-- device, and an address kept for a year would be personal data we do not need.
CREATE TABLE auth_events (
  id          bigserial PRIMARY KEY,
  person_id   uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  outcome     text NOT NULL CHECK (outcome IN ('success', 'failure')),
  method      text NOT NULL CHECK (method IN ('password', 'franceconnect', 'franceconnect-plus')),
  user_agent  text
);
CREATE INDEX auth_events_person_at ON auth_events (person_id, at DESC);

-- What "Mes connexions" names a session by in its forms: random, never the hash of the cookie.
ALTER TABLE sessions ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX sessions_public_id ON sessions (public_id);

ALTER TABLE one_time_codes DROP CONSTRAINT IF EXISTS one_time_codes_purpose_check;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_purpose_check
  CHECK (purpose IN ('contact-validation', 'password-recovery', 'strong-auth', 'contact-change'));
