-- Issue 14: every démarche kind of the account space, and its status as the person sees it.
-- A démarche is 'brouillon' while a draft, 'envoyee' once submitted, 'en-cours' while the Caf
-- processes it, 'traitee' when applied, 'annulee' with a reason (incident response, withdrawal).

ALTER TABLE demarches DROP CONSTRAINT demarches_kind_check;
ALTER TABLE demarches ADD CONSTRAINT demarches_kind_check
  CHECK (kind IN ('separation', 'changement-adresse', 'declaration-trimestrielle', 'document'));

ALTER TABLE demarches
  ADD COLUMN status text NOT NULL DEFAULT 'en-cours'
    CHECK (status IN ('brouillon', 'envoyee', 'en-cours', 'traitee', 'annulee')),
  ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN cancel_reason text;

-- Rows cancelled before this migration keep their date and get the status that says so.
UPDATE demarches SET status = 'annulee', status_changed_at = cancelled_at
  WHERE cancelled_at IS NOT NULL;

CREATE INDEX demarches_author ON demarches (author_person_id, created_at);
