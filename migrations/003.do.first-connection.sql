-- First connection, contact validation, recovery and throttling (issue 3).

ALTER TABLE persons
  ADD COLUMN email_verified_at timestamptz,
  ADD COLUMN phone_verified_at timestamptz;

-- Codes are stored as an HMAC bound to purpose and person, never in clear.
CREATE TABLE one_time_codes (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id        uuid NOT NULL REFERENCES persons (id),
  purpose          text NOT NULL CHECK (purpose IN ('contact-validation', 'password-recovery')),
  channel          text NOT NULL CHECK (channel IN ('email', 'sms')),
  destination      text NOT NULL,
  code_hash        bytea NOT NULL,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz,
  failed_attempts  integer NOT NULL DEFAULT 0
);
CREATE INDEX one_time_codes_person ON one_time_codes (person_id, purpose, created_at DESC);

-- One row per throttled subject: an account (keyed by a keyed hash of the identifier typed,
-- so unknown identifiers are throttled alike) or a client address.
CREATE TABLE throttles (
  scope            text NOT NULL CHECK (scope IN ('account', 'address')),
  subject          text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('password', 'legacy', 'code')),
  failures         integer NOT NULL DEFAULT 0,
  last_failure_at  timestamptz,
  locked_until     timestamptz,
  PRIMARY KEY (scope, subject, kind)
);
