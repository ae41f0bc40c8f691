-- What changed in a wave's results, so that a cache of 10,000 cities' results updates the few that
-- changed instead of reading them all again. Every change to a wave's results raises
-- `waves.results_version` (0003); a change to one assessment's results also stamps that assessment
-- with the new value (`assessments.results_seq`), and a change to all of them at once (closing the
-- wave) records it in `waves.results_reset`. A cache holding results as of version v brings them to
-- the current version by reading the assessments stamped after v, unless the wave was reset after v.
-- Portable SQL, as 0001.
ALTER TABLE assessments ADD COLUMN results_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE waves ADD COLUMN results_reset BIGINT NOT NULL DEFAULT 0;
CREATE INDEX assessments_results_seq ON assessments (wave_id, results_seq);
