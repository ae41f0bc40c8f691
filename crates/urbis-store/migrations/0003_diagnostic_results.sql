-- The diagnostic's materialised results and peer-group facts. Portable SQL, as 0001.

-- Each submitted assessment's self-assessed scores, written in the same transaction as the change that
-- alters them (submit, import, reopen), so that a benchmark reads one row per city instead of scoring
-- every answer on every request. `frozen` 0 holds the live figures; closing a wave copies them to
-- `frozen` 1, the wave's baseline, which later changes do not touch. `capabilities_json` maps each
-- capability slug to {"score": number|null, "level": 1..5}. A draft has no live row.
-- This replaces 0002's unused per-capability `wave_results` table.
DROP TABLE wave_results;
CREATE TABLE assessment_results (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    frozen BIGINT NOT NULL,
    overall DOUBLE PRECISION,
    capabilities_json TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, frozen)
);

-- Counts every change to a wave's results or to which of them are published (submit, import,
-- reopen, publish, close), so that readers can keep a wave's benchmark in memory and know when it
-- is stale with the wave row they read anyway.
ALTER TABLE waves ADD COLUMN results_version BIGINT NOT NULL DEFAULT 0;

-- Resident population (latest census or register count), for population-band peer groups.
ALTER TABLE organisations ADD COLUMN population BIGINT;
