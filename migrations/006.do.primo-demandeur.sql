-- "Créer mon compte" (issue 4): a person with no dossier creates their own account.
-- Set when "Créer mon compte" created the row (or took over an abandoned one); null for every
-- person the Caf knows from a dossier. A row with this set, no account and no dossier, older than
-- the journey's lifetime, is an abandoned attempt that the next one with the same NIR may reuse.
ALTER TABLE persons ADD COLUMN self_registered_at timestamptz;
