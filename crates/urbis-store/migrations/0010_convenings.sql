-- Convenings: a programme's events, the sessions of their agendas, registrations with a waiting
-- list, and offers of freed places. Portable SQL, as 0001. Times are UTC RFC 3339 text with the
-- event's IANA zone beside them (docs/convenings.md).

CREATE TABLE convening_events (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    attendance_mode TEXT NOT NULL,
    venue_name TEXT NOT NULL DEFAULT '',
    venue_address TEXT NOT NULL DEFAULT '',
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION,
    join_url TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    capacity BIGINT,
    organisation_quota BIGINT,
    registration_opens_at TEXT,
    registration_closes_at TEXT,
    offer_hours BIGINT NOT NULL DEFAULT 48,
    status TEXT NOT NULL DEFAULT 'scheduled',
    is_sample BIGINT NOT NULL DEFAULT 0,
    -- Bumped by every registration write: the row lock that makes check-and-insert one step.
    lock_seq BIGINT NOT NULL DEFAULT 0,
    created_by TEXT REFERENCES people (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX convening_events_programme ON convening_events (programme_id, starts_at);

CREATE TABLE convening_sessions (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES convening_events (id),
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    room TEXT NOT NULL DEFAULT '',
    speakers TEXT NOT NULL DEFAULT '',
    material_url TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX convening_sessions_event ON convening_sessions (event_id, starts_at);

-- state: confirmed, offered, waiting, cancelled, lapsed; queue_number orders the waiting list.
CREATE TABLE convening_registrations (
    id TEXT PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES convening_events (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    organisation_id TEXT REFERENCES organisations (id),
    state TEXT NOT NULL,
    queue_number BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX convening_registrations_current ON convening_registrations (event_id, person_id)
    WHERE state IN ('confirmed', 'offered', 'waiting');
CREATE UNIQUE INDEX convening_registrations_queue ON convening_registrations (event_id, queue_number);
CREATE INDEX convening_registrations_person ON convening_registrations (person_id, created_at);

-- An offer of a freed place: its link is stored only as a hash; it works once, until expires_at.
CREATE TABLE convening_offers (
    id TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL REFERENCES convening_registrations (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    lapsed_at TEXT
);
CREATE INDEX convening_offers_registration ON convening_offers (registration_id);
CREATE INDEX convening_offers_open ON convening_offers (expires_at) WHERE accepted_at IS NULL AND lapsed_at IS NULL;
