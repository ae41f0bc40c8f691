-- Outbox secrets: a message's secret link is no longer stored in clear. `body` keeps the message
-- with the link withheld; `sealed_body` the whole message encrypted (XChaCha20-Poly1305) under the
-- outbox key, kept outside the database; `secret_expires_at` is when the link stops working (the
-- retention purge drops undelivered secrets after it); `purged_at` when the secret was dropped
-- (delivered, expired, or withdrawn here). Portable SQL, as 0001.
ALTER TABLE outbox ADD COLUMN sealed_body TEXT;
ALTER TABLE outbox ADD COLUMN secret_expires_at TEXT;
ALTER TABLE outbox ADD COLUMN purged_at TEXT;

-- Messages queued before this migration hold their links in clear, and none was ever delivered
-- (no transport existed): the links are withdrawn, not sealed (SQL has no key). Staff send a survey
-- reminder (a fresh link) or a new invitation for anyone still waiting.
UPDATE outbox
SET body = '[link withheld: queued before outbox links were sealed; send a reminder or a new invitation]',
    purged_at = created_at
WHERE kind IN ('invitation', 'survey-invitation', 'survey-reminder');
