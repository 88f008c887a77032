-- Issue 9: an agent sends a new activation code by letter; the invitation then names the agent,
-- not a member of the household. Exactly one of the two inviters.
ALTER TABLE invitations
  ALTER COLUMN invited_by DROP NOT NULL,
  ADD COLUMN invited_by_agent uuid REFERENCES agents (id),
  ADD CONSTRAINT invitations_one_inviter CHECK (num_nonnulls(invited_by, invited_by_agent) = 1);

-- « Créer des foyers » (test dossiers, never in production): one job at a time, its progress
-- read by the page that refreshes itself.
CREATE TABLE random_household_jobs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id     uuid NOT NULL REFERENCES agents (id),
  requested    integer NOT NULL CHECK (requested BETWEEN 1 AND 10000),
  created      integer NOT NULL DEFAULT 0,
  started_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  failed_at    timestamptz
);
CREATE UNIQUE INDEX random_household_jobs_one_running ON random_household_jobs ((true))
  WHERE finished_at IS NULL AND failed_at IS NULL;
