-- Which reseller a `reseller` role was granted for (docs/adr/0057-reseller-console-handoff.md): the
-- tenant's parent at the handoff. When the tenant's `parentReseller` changes or goes, SSO takes
-- back every grant made for another reseller and ends its sessions. Grants made before this column
-- existed have none and are taken back at the first change of the tenant, which fails closed: the
-- reseller's admins open the console again by a handoff.
ALTER TABLE user_roles
  ADD COLUMN reseller_slug text CHECK (reseller_slug IS NULL OR source = 'grant');
