-- Issue 14 D: the quarterly resource declaration (« déclaration trimestrielle de ressources »,
-- RSA and prime d'activité) and the figures partners sent for it.

-- NULL: the household receives neither RSA nor prime d'activité (no declaration to make).
-- 0, 1 or 2: the declaration opens in the months m (1–12) where (m - 1) % 3 = this value, for
-- the three months before. The Caf sets it when it opens the right; each household has its own.
ALTER TABLE dossiers ADD COLUMN quarterly_declaration_cycle smallint
  CHECK (quarterly_declaration_cycle BETWEEN 0 AND 2);

-- « Données transmises par nos partenaires »: monthly figures received from France Travail,
-- employers (DSN) or pension funds, offered pre-filled and left for the person to confirm.
CREATE TABLE partner_resources (
  dossier_id    uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  person_id     uuid NOT NULL REFERENCES persons (id),
  month         date NOT NULL CHECK (extract(day FROM month) = 1),
  kind          text NOT NULL CHECK (kind IN ('salaires', 'chomage', 'pensions', 'autres')),
  amount_cents  integer NOT NULL CHECK (amount_cents >= 0),
  source        text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, person_id, month, kind)
);

-- One declaration per dossier and quarter, draft then submitted in place: the unique key is
-- what makes a double click, a retry or a second tab record one declaration; `version` is the
-- draft's compare-and-set (a save from a stale page is refused, never silently merged).
CREATE TABLE quarterly_declarations (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  demarche_id    uuid NOT NULL UNIQUE REFERENCES demarches (id),
  dossier_id     uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  quarter_start  date NOT NULL CHECK (extract(day FROM quarter_start) = 1),
  version        integer NOT NULL DEFAULT 0,
  updated_by     uuid REFERENCES persons (id),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  submitted_at   timestamptz,
  submitted_by   uuid REFERENCES persons (id),
  reference      text UNIQUE,
  UNIQUE (dossier_id, quarter_start),
  CHECK ((submitted_at IS NULL) = (reference IS NULL))
);

-- The figures typed (or confirmed): `partner_amount_cents` keeps what the partner had sent when
-- it was saved, so the page and the acknowledgment say which were confirmed and which corrected.
CREATE TABLE quarterly_declaration_lines (
  declaration_id        uuid NOT NULL REFERENCES quarterly_declarations (id) ON DELETE CASCADE,
  person_id             uuid NOT NULL REFERENCES persons (id),
  month                 date NOT NULL CHECK (extract(day FROM month) = 1),
  kind                  text NOT NULL CHECK (kind IN ('salaires', 'chomage', 'pensions', 'autres')),
  amount_cents          integer NOT NULL CHECK (amount_cents >= 0),
  partner_amount_cents  integer CHECK (partner_amount_cents >= 0),
  PRIMARY KEY (declaration_id, person_id, month, kind)
);
