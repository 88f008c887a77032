-- Foundation: persons, dossiers and their members, accounts, sessions, payments,
-- and the append-only access log (DESIGN §4.6).

CREATE TABLE persons (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  nir             char(13) UNIQUE,
  provisional_id  text UNIQUE,
  given_name      text NOT NULL,
  family_name     text NOT NULL,
  birth_name      text,
  sex             smallint NOT NULL CHECK (sex IN (1, 2)),
  birthdate       date NOT NULL,
  birth_place     text,
  birth_country   text NOT NULL DEFAULT 'France',
  email           text,
  phone           text,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dossiers (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number                char(7) NOT NULL UNIQUE CHECK (number ~ '^[0-9]{7}$'),
  address_line1         text NOT NULL,
  address_line2         text,
  postcode              char(5) NOT NULL,
  city                  text NOT NULL,
  family_situation      text NOT NULL,
  -- The old 8-digit household password, hashed: first connection and phone channel only.
  legacy_password_hash  text,
  iban                  text,
  bic                   text,
  created_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE member_role AS ENUM ('allocataire', 'conjoint', 'enfant', 'autre');

CREATE TABLE dossier_members (
  dossier_id  uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  person_id   uuid NOT NULL REFERENCES persons (id),
  role        member_role NOT NULL,
  delegation  boolean NOT NULL DEFAULT false,
  PRIMARY KEY (dossier_id, person_id)
);
CREATE UNIQUE INDEX dossier_members_one_allocataire ON dossier_members (dossier_id)
  WHERE role = 'allocataire';
CREATE INDEX dossier_members_person ON dossier_members (person_id);

CREATE TABLE accounts (
  person_id            uuid PRIMARY KEY REFERENCES persons (id),
  password_hash        text NOT NULL,
  password_changed_at  timestamptz NOT NULL DEFAULT now(),
  status               text NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'locked', 'disabled')),
  created_at           timestamptz NOT NULL DEFAULT now()
);

-- The cookie holds a random session id; only its SHA-256 is stored, so a read of this
-- table is not enough to forge a cookie (the cookie is also encrypted).
CREATE TABLE sessions (
  id_hash           bytea PRIMARY KEY,
  person_id         uuid NOT NULL REFERENCES persons (id),
  method            text NOT NULL,
  acr               text,
  authenticated_at  timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  last_seen_at      timestamptz NOT NULL DEFAULT now(),
  expires_at        timestamptz NOT NULL,
  revoked_at        timestamptz,
  revoked_reason    text,
  client_ip         inet,
  user_agent        text
);
CREATE INDEX sessions_person ON sessions (person_id);
CREATE INDEX sessions_created_at ON sessions (created_at);

CREATE TABLE payments (
  id            bigserial PRIMARY KEY,
  dossier_id    uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  paid_on       date NOT NULL,
  benefit       text NOT NULL,
  period        text NOT NULL,
  amount_cents  integer NOT NULL CHECK (amount_cents >= 0)
);
CREATE INDEX payments_dossier_paid_on ON payments (dossier_id, paid_on DESC);

CREATE TABLE agents (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  login          text NOT NULL UNIQUE,
  password_hash  text NOT NULL,
  given_name     text NOT NULL,
  family_name    text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE access_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  session_hash  bytea NOT NULL,
  person_id     uuid NOT NULL,
  dossier_id    uuid,
  categories    text[] NOT NULL,
  route         text NOT NULL
);
CREATE INDEX access_log_at ON access_log (at);
CREATE INDEX access_log_dossier ON access_log (dossier_id, at);

CREATE FUNCTION access_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_log is append-only';
END;
$$;
CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION access_log_is_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_is_append_only();
