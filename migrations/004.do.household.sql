-- A personal account for every household member (issue 4): invitations, delegation audit,
-- démarches (separation).

CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;

-- Who did what to whose rights: delegations, invitations, separations, agents' actions later.
CREATE TABLE audit_log (
  id                bigserial PRIMARY KEY,
  at                timestamptz NOT NULL DEFAULT now(),
  actor_person_id   uuid REFERENCES persons (id),
  action            text NOT NULL,
  dossier_id        uuid REFERENCES dossiers (id),
  target_person_id  uuid REFERENCES persons (id),
  details           jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_dossier ON audit_log (dossier_id, at);
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

-- An activation code sent by the allocataire to a member aged 15 or more. Letters take days:
-- the validity depends on the channel. Stored as an HMAC, never in clear.
CREATE TABLE invitations (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id       uuid NOT NULL REFERENCES dossiers (id),
  person_id        uuid NOT NULL REFERENCES persons (id),
  invited_by       uuid NOT NULL REFERENCES persons (id),
  channel          text NOT NULL CHECK (channel IN ('email', 'sms', 'courrier')),
  destination      text NOT NULL,
  code_hash        bytea NOT NULL,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  used_at          timestamptz,
  failed_attempts  integer NOT NULL DEFAULT 0
);
CREATE INDEX invitations_person ON invitations (person_id, created_at DESC);

-- A démarche made online. The idempotency key comes from the form: a double submit or a
-- retried request records one démarche.
CREATE TABLE demarches (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id       uuid NOT NULL REFERENCES dossiers (id),
  author_person_id uuid NOT NULL REFERENCES persons (id),
  kind             text NOT NULL CHECK (kind IN ('separation')),
  details          jsonb NOT NULL DEFAULT '{}',
  idempotency_key  text NOT NULL UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now(),
  cancelled_at     timestamptz
);
CREATE INDEX demarches_dossier ON demarches (dossier_id, created_at);
