-- Issue 14 (part C): the documents the Caf asks for, the documents sent, and the files' bytes.

-- A document the Caf asks for: of the household, or of one member by name (`person_id`).
CREATE TABLE document_requests (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id  uuid NOT NULL REFERENCES dossiers (id),
  person_id   uuid REFERENCES persons (id),
  kind        text NOT NULL CHECK (length(kind) BETWEEN 1 AND 200),
  asked_at    timestamptz NOT NULL DEFAULT now(),
  status      text NOT NULL DEFAULT 'a-envoyer'
              CHECK (status IN ('a-envoyer', 'recu', 'valide', 'refuse'))
);
CREATE INDEX document_requests_dossier ON document_requests (dossier_id, asked_at);

-- The Postgres DocumentStore (src/db/document-store.ts): the bytes, by an opaque key.
CREATE TABLE document_files (
  key         text PRIMARY KEY,
  bytes       bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A document sent: in answer to a request, or free with its description. One per form key.
CREATE TABLE documents (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  dossier_id       uuid NOT NULL REFERENCES dossiers (id),
  sender_person_id uuid NOT NULL REFERENCES persons (id),
  request_id       uuid REFERENCES document_requests (id),
  description      text CHECK (description IS NULL OR length(description) BETWEEN 1 AND 200),
  filename         text NOT NULL,
  media_type       text NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  size_bytes       integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
  sha256           bytea NOT NULL,
  storage_key      text NOT NULL,
  reference        text NOT NULL UNIQUE,
  status           text NOT NULL DEFAULT 'recu' CHECK (status IN ('recu', 'valide', 'refuse')),
  idempotency_key  text NOT NULL UNIQUE,
  sent_at          timestamptz NOT NULL DEFAULT now(),
  CHECK (request_id IS NOT NULL OR description IS NOT NULL)
);
CREATE INDEX documents_dossier ON documents (dossier_id, sent_at);
