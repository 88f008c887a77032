-- Issue 9: an agent sends a new activation code by letter; the invitation then names the agent,
-- not a member of the household. Exactly one of the two inviters.
ALTER TABLE invitations
  ALTER COLUMN invited_by DROP NOT NULL,
  ADD COLUMN invited_by_agent uuid REFERENCES agents (id),
  ADD CONSTRAINT invitations_one_inviter CHECK (num_nonnulls(invited_by, invited_by_agent) = 1);
