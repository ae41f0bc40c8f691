-- Grants (issue 11, first part): calls with their rubric, applications with answers per section,
-- budget lines and co-applicants, reviewer assignments with conflict-of-interest declarations,
-- reviews with per-criterion scores, consensus and decisions. Portable SQL, as 0001. Money is
-- integer minor units with the call's ISO 4217 currency; scores are counts of half points (NULL is
-- "not applicable").

CREATE TABLE grant_calls (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    eligibility TEXT NOT NULL,
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    timezone TEXT NOT NULL,
    currency TEXT NOT NULL,
    total_budget_minor BIGINT NOT NULL,
    max_award_minor BIGINT NOT NULL,
    -- What the awards already made commit: raised by a guarded UPDATE in the award's transaction,
    -- so two concurrent awards can never commit more than the total budget.
    awarded_minor BIGINT NOT NULL DEFAULT 0,
    cost_categories_json TEXT NOT NULL,
    sections_json TEXT NOT NULL,
    overall_threshold_halves BIGINT NOT NULL,
    stages BIGINT NOT NULL DEFAULT 1,
    state TEXT NOT NULL,
    is_sample BIGINT NOT NULL DEFAULT 0,
    created_by TEXT REFERENCES people (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (awarded_minor <= total_budget_minor)
);
CREATE INDEX grant_calls_programme ON grant_calls (programme_id, opens_at);

-- The rubric, in order (the order ties are broken in).
CREATE TABLE grant_criteria (
    call_id TEXT NOT NULL REFERENCES grant_calls (id),
    position BIGINT NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    weight_hundredths BIGINT NOT NULL,
    threshold_halves BIGINT NOT NULL,
    PRIMARY KEY (call_id, key)
);

CREATE TABLE grant_applications (
    id TEXT PRIMARY KEY,
    call_id TEXT NOT NULL REFERENCES grant_calls (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    -- draft, submitted, awarded, rejected
    status TEXT NOT NULL,
    requested_minor BIGINT NOT NULL DEFAULT 0,
    submitted_at TEXT,
    created_by TEXT REFERENCES people (id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (call_id, organisation_id)
);
CREATE INDEX grant_applications_organisation ON grant_applications (organisation_id);

CREATE TABLE grant_answers (
    application_id TEXT NOT NULL REFERENCES grant_applications (id),
    section_key TEXT NOT NULL,
    answer TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (application_id, section_key)
);

CREATE TABLE grant_budget_lines (
    application_id TEXT NOT NULL REFERENCES grant_applications (id),
    position BIGINT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (application_id, position)
);

CREATE TABLE grant_coapplicants (
    application_id TEXT NOT NULL REFERENCES grant_applications (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (application_id, organisation_id)
);

-- A reviewer assigned to an application; a declared conflict of interest withdraws them.
CREATE TABLE grant_assignments (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES grant_applications (id),
    reviewer_id TEXT NOT NULL REFERENCES people (id),
    assigned_by TEXT REFERENCES people (id),
    conflict_reason TEXT,
    conflict_declared_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (application_id, reviewer_id)
);
CREATE INDEX grant_assignments_reviewer ON grant_assignments (reviewer_id);

CREATE TABLE grant_reviews (
    id TEXT PRIMARY KEY,
    assignment_id TEXT NOT NULL UNIQUE REFERENCES grant_assignments (id),
    application_id TEXT NOT NULL REFERENCES grant_applications (id),
    reviewer_id TEXT NOT NULL REFERENCES people (id),
    -- yes, maybe, no
    recommendation TEXT NOT NULL,
    comment TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX grant_reviews_application ON grant_reviews (application_id);

CREATE TABLE grant_review_scores (
    review_id TEXT NOT NULL REFERENCES grant_reviews (id),
    criterion_key TEXT NOT NULL,
    score_halves BIGINT,
    comment TEXT NOT NULL,
    PRIMARY KEY (review_id, criterion_key)
);

-- The consensus: per criterion a score (NULL for not applicable), with its justification.
CREATE TABLE grant_consensus (
    application_id TEXT PRIMARY KEY REFERENCES grant_applications (id),
    scores_json TEXT NOT NULL,
    justification TEXT NOT NULL,
    recorded_by TEXT REFERENCES people (id),
    recorded_at TEXT NOT NULL
);

CREATE TABLE grant_decisions (
    application_id TEXT PRIMARY KEY REFERENCES grant_applications (id),
    call_id TEXT NOT NULL REFERENCES grant_calls (id),
    -- award, reject
    outcome TEXT NOT NULL,
    amount_minor BIGINT,
    feedback TEXT NOT NULL,
    decided_by TEXT REFERENCES people (id),
    decided_at TEXT NOT NULL
);
CREATE INDEX grant_decisions_call ON grant_decisions (call_id, outcome);
