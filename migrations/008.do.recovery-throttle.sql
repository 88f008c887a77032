-- "Mot de passe oublié ?" requests get their own throttle kind (issue 13, ADR 0008).
ALTER TABLE throttles DROP CONSTRAINT throttles_kind_check;
ALTER TABLE throttles ADD CONSTRAINT throttles_kind_check
  CHECK (kind IN ('password', 'legacy', 'code', 'recovery'));
