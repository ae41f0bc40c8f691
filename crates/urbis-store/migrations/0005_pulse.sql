-- Pulse surveys (diagnostic capability): a survey instrument, pinned at creation, sent to
-- organisations and their respondents by invitation link. Portable SQL, as 0001.

CREATE TABLE survey_campaigns (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    instrument_slug TEXT NOT NULL,
    instrument_version BIGINT NOT NULL,
    programme_id TEXT REFERENCES programmes (id),
    opens_on TEXT NOT NULL,
    closes_on TEXT NOT NULL,
    status TEXT NOT NULL,
    is_sample BIGINT NOT NULL DEFAULT 0,
    created_by TEXT REFERENCES people (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (instrument_slug, instrument_version) REFERENCES instruments (slug, version)
);

-- One person (by e-mail, no account needed) answering for one organisation. invited_at is set when
-- the first link is sent (when the campaign opens, or on adding to an open campaign).
CREATE TABLE survey_respondents (
    id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES survey_campaigns (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    invited_at TEXT,
    last_reminded_at TEXT,
    reminders BIGINT NOT NULL DEFAULT 0,
    submitted_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (campaign_id, email)
);
CREATE INDEX survey_respondents_organisation ON survey_respondents (campaign_id, organisation_id);

-- The links sent to a respondent (the invitation, then each reminder), stored only as hashes.
CREATE TABLE survey_links (
    token_hash TEXT PRIMARY KEY,
    respondent_id TEXT NOT NULL REFERENCES survey_respondents (id),
    created_at TEXT NOT NULL
);
CREATE INDEX survey_links_respondent ON survey_links (respondent_id);

CREATE TABLE survey_answers (
    respondent_id TEXT NOT NULL REFERENCES survey_respondents (id),
    question_id TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    normalised DOUBLE PRECISION,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (respondent_id, question_id)
);
