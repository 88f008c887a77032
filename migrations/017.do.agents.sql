-- The agents' console (issue 9): roles, a TOTP second factor, their own sessions, the log of
-- what they looked at, and the interventions they make on a person's account.

ALTER TABLE agents
  ADD COLUMN role text NOT NULL DEFAULT 'conseiller'
    CHECK (role IN ('conseiller', 'testeur', 'superviseur')),
  ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  -- Base32, shown once at creation or enrolment; needed in clear to check a code.
  ADD COLUMN totp_secret text,
  ADD COLUMN totp_enrolled_at timestamptz,
  -- The RFC 6238 time step of the last code accepted: a code is good once only.
  ADD COLUMN last_totp_step bigint;

-- Like `sessions`, for the other realm: the cookie holds a random id, the row its SHA-256.
CREATE TABLE agent_sessions (
  id_hash         bytea PRIMARY KEY,
  agent_id        uuid NOT NULL REFERENCES agents (id),
  created_at      timestamptz NOT NULL DEFAULT now(),
  last_seen_at    timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  revoked_at      timestamptz,
  revoked_reason  text,
  client_ip       inet,
  user_agent      text
);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent_id);

-- Who opened whose file, why, and what was shown. The consulted person reads the date of each
-- row in their own connection history; the agent's name is not shown to them.
CREATE TABLE agent_access_log (
  id                  bigserial PRIMARY KEY,
  at                  timestamptz NOT NULL DEFAULT now(),
  agent_id            uuid NOT NULL REFERENCES agents (id),
  agent_session_hash  bytea NOT NULL,
  person_id           uuid NOT NULL REFERENCES persons (id),
  reason              text NOT NULL
                      CHECK (reason IN ('appel-telephonique', 'accueil', 'courrier', 'test')),
  categories          text[] NOT NULL,
  route               text NOT NULL
);
CREATE INDEX agent_access_log_person ON agent_access_log (person_id, at DESC);
CREATE TRIGGER agent_access_log_no_update_delete BEFORE UPDATE OR DELETE ON agent_access_log
  FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER agent_access_log_no_truncate BEFORE TRUNCATE ON agent_access_log
  FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

-- An intervention's audit row names the agent (the person acted on is target_person_id).
ALTER TABLE audit_log ADD COLUMN actor_agent_id uuid REFERENCES agents (id);
CREATE INDEX audit_log_target ON audit_log (target_person_id, at);

-- Suspension holds for every way in (services/sessions.ts) and for sessions already open.
ALTER TABLE persons ADD COLUMN suspended_at timestamptz;
-- Set by an agent: the next password login goes to recovery's new-password step.
ALTER TABLE accounts ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
