-- Issue 14 (Mes paiements): what a payment's detail page shows. `amount_cents` stays the net
-- amount paid; the gross amount and the period covered are added, and each deduction (a recovery
-- of an overpayment…) is its own row with its label, so that gross − deductions = net. The
-- account paid into is the payment's own (bank details change; a payment keeps where it went).

ALTER TABLE payments
  ADD COLUMN gross_cents integer,
  ADD COLUMN period_start date,
  ADD COLUMN period_end date,
  ADD COLUMN iban text;

-- Rows paid before this migration: paid on the 5th for the month before, nothing deducted.
UPDATE payments SET
  gross_cents = amount_cents,
  period_start = date_trunc('month', paid_on - interval '1 month')::date,
  period_end = (date_trunc('month', paid_on) - interval '1 day')::date,
  iban = (SELECT d.iban FROM dossiers d WHERE d.id = payments.dossier_id);

ALTER TABLE payments
  ALTER COLUMN gross_cents SET NOT NULL,
  ALTER COLUMN period_start SET NOT NULL,
  ALTER COLUMN period_end SET NOT NULL,
  ADD CONSTRAINT payments_gross_covers_net CHECK (gross_cents >= amount_cents),
  ADD CONSTRAINT payments_period_order CHECK (period_start <= period_end);

CREATE TABLE payment_deductions (
  id            bigserial PRIMARY KEY,
  payment_id    bigint NOT NULL REFERENCES payments (id) ON DELETE CASCADE,
  label         text NOT NULL,
  amount_cents  integer NOT NULL CHECK (amount_cents > 0)
);
CREATE INDEX payment_deductions_payment ON payment_deductions (payment_id);
