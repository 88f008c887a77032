-- FranceConnect and FranceConnect+ (issue 5): links by pairwise `sub`, the ID token kept
-- server-side for the provider's logout, step-up authentication, and bank-detail changes.

-- A FranceConnect identity, once confirmed by the person, logs in by its `sub` alone. The
-- `sub` is pairwise: unique per provider and per service, so (provider, sub) is the key.
CREATE TABLE franceconnect_links (
  provider   text NOT NULL CHECK (provider IN ('franceconnect', 'franceconnect-plus')),
  sub        text NOT NULL,
  person_id  uuid NOT NULL REFERENCES persons (id),
  linked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, sub)
);
CREATE INDEX franceconnect_links_person ON franceconnect_links (person_id);

-- The ID token of a FranceConnect session, for `id_token_hint` at logout. Server-side only:
-- never in a cookie readable by a script, gone with the session row.
CREATE TABLE franceconnect_sessions (
  session_hash  bytea PRIMARY KEY REFERENCES sessions (id_hash) ON DELETE CASCADE,
  provider      text NOT NULL CHECK (provider IN ('franceconnect', 'franceconnect-plus')),
  id_token      text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Password typed again + one-time code: the time of that step-up, on the session it raised.
ALTER TABLE sessions ADD COLUMN strong_auth_at timestamptz;

-- Identity matching looks persons up by birth date and sex before comparing names.
CREATE INDEX persons_birthdate_sex ON persons (birthdate, sex);

-- One-time codes for the step-up of sensitive actions.
ALTER TABLE one_time_codes DROP CONSTRAINT IF EXISTS one_time_codes_purpose_check;
ALTER TABLE one_time_codes ADD CONSTRAINT one_time_codes_purpose_check
  CHECK (purpose IN ('contact-validation', 'password-recovery', 'strong-auth'));

-- Every change of a dossier's bank details, with what it replaced. `request_id` comes from
-- the form: a double submit or a retried request finds its row and changes nothing more.
CREATE TABLE bank_details_changes (
  id              bigserial PRIMARY KEY,
  request_id      uuid NOT NULL UNIQUE,
  dossier_id      uuid NOT NULL REFERENCES dossiers (id),
  person_id       uuid NOT NULL REFERENCES persons (id),
  session_hash    bytea NOT NULL,
  auth_method     text NOT NULL,
  previous_iban   text,
  previous_bic    text,
  iban            text NOT NULL,
  bic             text NOT NULL,
  changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bank_details_changes_dossier ON bank_details_changes (dossier_id, changed_at);
