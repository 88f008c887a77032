-- Multi-step journeys (recovery, first connection, account creation, FranceConnect, step-up):
-- their state lives here, one row per journey under way; the cookie carries only a random id.
-- Single use: the step that ends a journey sets consumed_at in the transaction of its effect,
-- so a copy of the cookie replayed afterwards finds nothing (ADR 0007).
CREATE TABLE flows (
  -- SHA-256 of the random id in the cookie: a leak of this table opens no journey.
  id_hash      bytea PRIMARY KEY,
  purpose      text NOT NULL,
  -- The person the journey is bound to, once known (null: nobody matched, or not yet known).
  person_id    uuid,
  state        jsonb NOT NULL,
  -- Compare-and-set: two concurrent submits of one step cannot both pass.
  version      integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  consumed_at  timestamptz
);
CREATE INDEX flows_expires_at ON flows (expires_at);
