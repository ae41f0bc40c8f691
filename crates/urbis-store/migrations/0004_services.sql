-- The services capability: each city's resident-facing service (CPSV-AP facts), its phases with
-- exit assessments, milestones, research log, outcome indicators and their measurements.
-- Portable SQL, as 0001. Lists are stored as comma-separated text; dates as YYYY-MM-DD.

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    focus_area TEXT NOT NULL,
    phase TEXT NOT NULL,
    problem TEXT NOT NULL DEFAULT '',
    audience TEXT NOT NULL DEFAULT '',
    team TEXT NOT NULL DEFAULT '',
    channels TEXT NOT NULL DEFAULT '',
    languages TEXT NOT NULL DEFAULT '',
    output TEXT NOT NULL DEFAULT '',
    cost_minor BIGINT,
    currency TEXT NOT NULL DEFAULT '',
    builds_on TEXT NOT NULL DEFAULT '',
    published BIGINT NOT NULL DEFAULT 0,
    is_sample BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organisation_id, programme_id)
);
CREATE INDEX services_programme ON services (programme_id);

CREATE TABLE service_phases (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    kind TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    goal TEXT NOT NULL,
    exit_result TEXT NOT NULL,
    exit_notes TEXT NOT NULL DEFAULT '',
    exit_checklist TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (service_id, kind)
);

CREATE TABLE service_milestones (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    title TEXT NOT NULL,
    due_on TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX service_milestones_service ON service_milestones (service_id);

CREATE TABLE service_research (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    participants BIGINT NOT NULL,
    findings TEXT NOT NULL,
    quotes TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL DEFAULT '',
    created_by TEXT REFERENCES people (id),
    created_at TEXT NOT NULL
);
CREATE INDEX service_research_service ON service_research (service_id);

CREATE TABLE indicators (
    id TEXT PRIMARY KEY,
    service_id TEXT NOT NULL REFERENCES services (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL,
    direction TEXT NOT NULL,
    baseline_value DOUBLE PRECISION NOT NULL,
    baseline_date TEXT NOT NULL,
    target_value DOUBLE PRECISION NOT NULL,
    target_date TEXT NOT NULL,
    data_source TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    breakdowns TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX indicators_service ON indicators (service_id);

-- One value per indicator, date and breakdown ('' is the total series): re-importing the same
-- row changes nothing.
CREATE TABLE measurements (
    indicator_id TEXT NOT NULL REFERENCES indicators (id),
    measured_on TEXT NOT NULL,
    breakdown TEXT NOT NULL DEFAULT '',
    value DOUBLE PRECISION NOT NULL,
    quality TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (indicator_id, measured_on, breakdown)
);
