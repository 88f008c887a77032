-- Issue 10: maintenance mode, incident response, the phone channel.

-- Maintenance: one row shared by every instance, read on every public request (ADR 0012).
-- On while starts_at <= now() < ends_at (ends_at NULL: until switched off); a notice banner
-- shows before a planned start.
CREATE TABLE maintenance (
  id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
  starts_at          timestamptz,
  ends_at            timestamptz CHECK (ends_at IS NULL OR starts_at IS NOT NULL),
  message            text,
  end_sessions       boolean NOT NULL DEFAULT false,
  -- When the public sessions were ended for the window that started at starts_at.
  sessions_ended_at  timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at IS NULL OR ends_at > starts_at)
);
INSERT INTO maintenance DEFAULT VALUES;

-- Who was a member of which dossier, with which role and delegation, when: the access matrix
-- "as it stood then" for incident reports. Maintained by a trigger; rows present when this
-- migration ran are taken as valid since ever (their earlier history is unknown).
CREATE TABLE dossier_member_history (
  id          bigserial PRIMARY KEY,
  dossier_id  uuid NOT NULL,
  person_id   uuid NOT NULL,
  role        member_role NOT NULL,
  delegation  boolean NOT NULL,
  valid_from  timestamptz NOT NULL,
  valid_to    timestamptz,
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX dossier_member_history_lookup
  ON dossier_member_history (dossier_id, person_id, valid_from);
CREATE UNIQUE INDEX dossier_member_history_one_open
  ON dossier_member_history (dossier_id, person_id) WHERE valid_to IS NULL;

INSERT INTO dossier_member_history (dossier_id, person_id, role, delegation, valid_from)
  SELECT dossier_id, person_id, role, delegation, '-infinity' FROM dossier_members;

CREATE FUNCTION dossier_members_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF TG_OP = 'UPDATE' AND NEW.role = OLD.role AND NEW.delegation = OLD.delegation
       AND NEW.dossier_id = OLD.dossier_id AND NEW.person_id = OLD.person_id THEN
      RETURN NEW;
    END IF;
    UPDATE dossier_member_history SET valid_to = clock_timestamp()
     WHERE dossier_id = OLD.dossier_id AND person_id = OLD.person_id AND valid_to IS NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO dossier_member_history (dossier_id, person_id, role, delegation, valid_from)
      VALUES (NEW.dossier_id, NEW.person_id, NEW.role, NEW.delegation, clock_timestamp());
    RETURN NEW;
  END IF;
  RETURN OLD;
END;
$$;
CREATE TRIGGER dossier_members_history AFTER INSERT OR UPDATE OR DELETE ON dossier_members
  FOR EACH ROW EXECUTE FUNCTION dossier_members_history();

-- An incident declared by a superviseur: a window, a description, the actions taken on it.
CREATE TABLE incidents (
  id                      bigserial PRIMARY KEY,
  starts_at               timestamptz NOT NULL,
  ends_at                 timestamptz NOT NULL,
  description             text NOT NULL,
  declared_at             timestamptz NOT NULL DEFAULT now(),
  declared_by             text NOT NULL,
  sessions_revoked_at     timestamptz,
  demarches_cancelled_at  timestamptz,
  notices_sent_at         timestamptz,
  closed_at               timestamptz,
  CHECK (ends_at > starts_at)
);

-- One contact notice per person per incident, whatever how often the action runs.
CREATE TABLE incident_notices (
  incident_id  bigint NOT NULL REFERENCES incidents (id),
  person_id    uuid NOT NULL REFERENCES persons (id),
  sent_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (incident_id, person_id)
);

CREATE INDEX demarches_created_at ON demarches (created_at);

-- The phone channel (serveur vocal) writes its displays to the same log.
ALTER TABLE access_log ADD COLUMN channel text NOT NULL DEFAULT 'web'
  CHECK (channel IN ('web', 'téléphone'));

-- Per dossier: until when the old 8-digit password answers on the phone once the web account
-- exists (NULL: the configured PHONE_LEGACY_PASSWORD_CUTOFF).
ALTER TABLE dossiers ADD COLUMN phone_legacy_until date;
