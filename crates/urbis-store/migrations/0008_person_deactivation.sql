-- Deactivating a person (issue 9 item 7, issue 16): a deactivated person cannot sign in and holds
-- no session or API token (all are ended in the transaction that deactivates them); the record,
-- memberships, invitations sent and audit trail stay. `deactivated_by` is the admin who did it,
-- NULL when an operator did it with `urbis person deactivate` on the server (the audit log says
-- which). No foreign key on it, so that a backup restores people in any order. Reactivating
-- clears both; the person's version moves with each change. Portable SQL, as 0001.
ALTER TABLE people ADD COLUMN deactivated_at TEXT;
ALTER TABLE people ADD COLUMN deactivated_by TEXT;
