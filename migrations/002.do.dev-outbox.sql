-- Development and test only: what the portal "sent". The SMTP catcher writes e-mails here,
-- the outbox transport writes SMS and postal letters here; /developpement/messages lists them.
-- Production never writes to this table (real SMTP server and providers instead).

CREATE TABLE dev_outbox (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  channel    text NOT NULL CHECK (channel IN ('email', 'sms', 'courrier')),
  recipient  text NOT NULL,
  subject    text,
  body       text NOT NULL
);
CREATE INDEX dev_outbox_recipient ON dev_outbox (recipient, id);
