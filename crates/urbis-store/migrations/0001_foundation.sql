-- Urbis foundation schema. Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Identifiers are UUIDv7 text; times are UTC RFC 3339 text with microseconds ('2026-01-02T03:04:05.000000Z'),
-- which sorts correctly as text; dates are 'YYYY-MM-DD'; flags are BIGINT 0/1.

CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    announced_on TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE reference_capabilities (
    slug TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);

CREATE TABLE reference_focus_areas (
    slug TEXT PRIMARY KEY,
    position BIGINT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    country_code TEXT NOT NULL,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    timezone TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE participations (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (programme_id, organisation_id)
);
CREATE INDEX participations_organisation ON participations (organisation_id);

CREATE TABLE people (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    job_title TEXT NOT NULL DEFAULT '',
    password_hash TEXT,
    listed BIGINT NOT NULL DEFAULT 0,
    locale TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- scope_id is '' for global roles so that the uniqueness rule holds on both databases.
CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (person_id, role, scope_kind, scope_id)
);
CREATE INDEX memberships_scope ON memberships (scope_kind, scope_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    invited_by TEXT REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by TEXT REFERENCES people (id),
    revoked_at TEXT,
    revoked_by TEXT REFERENCES people (id),
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX invitations_programme ON invitations (programme_id, created_at);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity_kind, entity_id);

-- Outgoing messages (e-mail). Delivery is a separate job; until a transport is configured they wait here.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT
);

-- Installation secrets (cookie signing key). Never exported in backups.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
