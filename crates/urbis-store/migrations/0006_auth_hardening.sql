-- Failed sign-ins, counted in the database so that every instance sees the same counts. `key` is
-- `account:<keyed hash of the e-mail>` or `address:<client address>`; the rules (budgets, delays)
-- live in the application layer, which reads `failures`, `first_at` and `last_at`.
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_at TEXT NOT NULL,
    last_at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_last ON sign_in_failures (last_at);

-- API tokens get a public id (to list and revoke them; never the secret) and when they were last used.
ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
UPDATE api_tokens SET id = substr(token_hash, 1, 32);
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);
CREATE INDEX api_tokens_person ON api_tokens (person_id);
