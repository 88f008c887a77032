-- Issue 14 (part B): letters of the dossier, registered electronic letters (LRE) and their
-- acknowledgment of receipt, issued attestations and the throttle of their public verification.

-- A letter is addressed to the household (addressee_person_id NULL: whoever may read household
-- letters) or to one member (also shown to those who may read household letters).
CREATE TABLE letters (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id           uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  addressee_person_id  uuid REFERENCES persons (id),
  sent_on              date NOT NULL,
  subject              text NOT NULL,
  body                 text NOT NULL,
  -- A registered electronic letter: opened only after a strong authentication.
  registered           boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX letters_dossier ON letters (dossier_id, sent_on DESC);
CREATE INDEX letters_addressee ON letters (addressee_person_id) WHERE addressee_person_id IS NOT NULL;

-- Read or unread is per person: one member opening a household letter leaves it unread for others.
CREATE TABLE letter_reads (
  letter_id  uuid NOT NULL REFERENCES letters (id) ON DELETE CASCADE,
  person_id  uuid NOT NULL REFERENCES persons (id),
  read_at    timestamptz NOT NULL,
  PRIMARY KEY (letter_id, person_id)
);

-- The acknowledgment of receipt of an LRE: its first opening, once (the primary key decides a race).
CREATE TABLE letter_receipts (
  letter_id        uuid PRIMARY KEY REFERENCES letters (id) ON DELETE CASCADE,
  person_id        uuid NOT NULL REFERENCES persons (id),
  acknowledged_at  timestamptz NOT NULL,
  method           text NOT NULL CHECK (method IN ('franceconnect-plus', 'mot-de-passe+code'))
);

-- The household's quotient familial in whole euros, as the Caf computes it (NULL: not computed).
ALTER TABLE dossiers ADD COLUMN quotient_familial integer CHECK (quotient_familial >= 0);

-- Every attestation issued. The reference is stored as issued (12 characters, about 59 bits of
-- randomness): the public verification shows only kind, date and initials, and a retry must
-- hand back the same document. The same request by the same person on the same day is one
-- attestation (a double click, a retried download).
CREATE TABLE attestations (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  reference        char(12) NOT NULL UNIQUE,
  dossier_id       uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  -- Who asked for it (the allocataire, or a member with delegation).
  person_id        uuid NOT NULL REFERENCES persons (id),
  kind             text NOT NULL CHECK (kind IN ('paiement', 'quotient-familial')),
  benefit          text,
  period_start     date,
  period_end       date,
  -- The holder's initials: all the public verification shows of the person.
  holder_initials  text NOT NULL,
  issued_on        date NOT NULL,
  issued_at        timestamptz NOT NULL,
  CHECK ((kind = 'paiement') = (benefit IS NOT NULL AND period_start IS NOT NULL AND period_end IS NOT NULL)),
  UNIQUE NULLS NOT DISTINCT (dossier_id, person_id, kind, benefit, period_start, period_end, issued_on)
);
CREATE INDEX attestations_dossier ON attestations (dossier_id, issued_at DESC);

-- The public verification of a reference is throttled per client address.
ALTER TABLE throttles DROP CONSTRAINT throttles_kind_check;
ALTER TABLE throttles ADD CONSTRAINT throttles_kind_check
  CHECK (kind IN ('password', 'legacy', 'code', 'recovery', 'attestation-check'));
