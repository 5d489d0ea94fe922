-- Learner counts kept beside hub_sum_learner and hub_sum_lesson (issue 20), so the unfiltered
-- reports never count distinct learners over them: with many learners or long histories
-- they hold up to a row per event. hub_sum_reach: a kit's distinct learners in a month (any
-- pack); hub_sum_person: each learner a kit has ever reported; hub_sum_people: their number
-- per kit; hub_sum_lesson_learner: each learner who opened or completed a lesson, any month;
-- hub_sum_lesson_count: their number per kit, lesson and kind.
-- Kept as events are stored, remade by `kit hub reports rebuild` (summaries.py).
-- The view report_learners stays as it was: dropping it would drop a read-only role's grant.
CREATE TABLE hub_sum_reach (kit_id VARCHAR(64) NOT NULL, month CHAR(7) NOT NULL, learners BIGINT NOT NULL, PRIMARY KEY (kit_id, month));
CREATE INDEX hub_sum_reach_month ON hub_sum_reach (month, kit_id);
CREATE TABLE hub_sum_person (kit_id VARCHAR(64) NOT NULL, learner_uuid VARCHAR(64) NOT NULL, PRIMARY KEY (kit_id, learner_uuid));
CREATE TABLE hub_sum_people (kit_id VARCHAR(64) NOT NULL PRIMARY KEY, learners BIGINT NOT NULL);
CREATE TABLE hub_sum_lesson_learner (kit_id VARCHAR(64) NOT NULL, pack_id VARCHAR(255) NOT NULL, lesson_id VARCHAR(255) NOT NULL, kind VARCHAR(32) NOT NULL, learner_uuid VARCHAR(64) NOT NULL, PRIMARY KEY (kit_id, pack_id, lesson_id, kind, learner_uuid));
CREATE TABLE hub_sum_lesson_count (kit_id VARCHAR(64) NOT NULL, pack_id VARCHAR(255) NOT NULL, lesson_id VARCHAR(255) NOT NULL, kind VARCHAR(32) NOT NULL, learners BIGINT NOT NULL, PRIMARY KEY (kit_id, pack_id, lesson_id, kind));
-- The course filter's list: one index probe a pack (programme.courses), not a read of every row.
CREATE INDEX hub_sum_hours_pack ON hub_sum_hours (pack_id);
