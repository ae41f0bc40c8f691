-- The diagnostic capability: instruments (immutable published versions), waves, assessments,
-- answers per respondent, the city lead's consolidated overrides, expert validation, frozen wave
-- results and improvement plans. Portable SQL, as 0001.

CREATE TABLE instruments (
    slug TEXT NOT NULL,
    version BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    definition_json TEXT NOT NULL,
    actions_json TEXT NOT NULL DEFAULT '[]',
    digest TEXT NOT NULL,
    published_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (slug, version)
);

CREATE TABLE waves (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    closed_at TEXT,
    is_baseline BIGINT NOT NULL DEFAULT 0,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (programme_id, slug)
);

CREATE TABLE assessments (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    wave_id TEXT NOT NULL REFERENCES waves (id),
    instrument_slug TEXT NOT NULL,
    instrument_version BIGINT NOT NULL,
    status TEXT NOT NULL,
    published BIGINT NOT NULL DEFAULT 0,
    is_sample BIGINT NOT NULL DEFAULT 0,
    created_by TEXT REFERENCES people (id),
    submitted_at TEXT,
    submitted_by TEXT REFERENCES people (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (organisation_id, wave_id, instrument_slug),
    FOREIGN KEY (instrument_slug, instrument_version) REFERENCES instruments (slug, version)
);
CREATE INDEX assessments_wave ON assessments (wave_id, instrument_slug);

CREATE TABLE answers (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    respondent_id TEXT NOT NULL REFERENCES people (id),
    question_id TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    normalised DOUBLE PRECISION,
    evidence TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, respondent_id, question_id)
);

CREATE TABLE answer_overrides (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    question_id TEXT NOT NULL,
    normalised DOUBLE PRECISION,
    reason TEXT NOT NULL,
    set_by TEXT NOT NULL REFERENCES people (id),
    set_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, question_id)
);

CREATE TABLE validations (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    capability TEXT NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    confidence TEXT NOT NULL,
    comment TEXT NOT NULL,
    validated_by TEXT NOT NULL REFERENCES people (id),
    validated_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, capability)
);

-- Frozen when a wave closes: the wave's baseline. capability '' is the overall score.
CREATE TABLE wave_results (
    wave_id TEXT NOT NULL REFERENCES waves (id),
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    capability TEXT NOT NULL,
    score DOUBLE PRECISION,
    level BIGINT NOT NULL,
    PRIMARY KEY (wave_id, assessment_id, capability)
);

CREATE TABLE plan_items (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    assessment_id TEXT REFERENCES assessments (id),
    capability TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    status TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX plan_items_organisation ON plan_items (organisation_id);
