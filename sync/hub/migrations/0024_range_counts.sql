-- Counts that keep the programme page fast as history grows (issue 20), kept as events are
-- stored and remade by `kit hub reports rebuild` (summaries.py, ranges.py).
-- hub_sum_kit_hours: hub_sum_hours without the pack (a sixth of its rows in a kit of six
-- packs): the hours chart and tiles read it unless a course is chosen.
CREATE TABLE hub_sum_kit_hours (kit_id VARCHAR(64) NOT NULL, month CHAR(7) NOT NULL, ms BIGINT NOT NULL, events BIGINT NOT NULL, PRIMARY KEY (kit_id, month));
-- A month range's distinct learners, exactly, without a distinct count (ranges.py): each month a
-- learner was seen is kept with the month they were seen before it ('' for none), and counted
-- per (month, previous month). A learner is counted once in a range [a, b]: at their first
-- month in it, the one whose previous month is before a.
-- hub_sum_visit: the months a kit's learner was seen (any pack);
-- hub_sum_reach_prev: their number per kit, month and previous month;
-- hub_sum_lesson_prev: the same per lesson and kind, over hub_sum_lesson's rows.
CREATE TABLE hub_sum_visit (kit_id VARCHAR(64) NOT NULL, learner_uuid VARCHAR(64) NOT NULL, month CHAR(7) NOT NULL, PRIMARY KEY (kit_id, learner_uuid, month));
CREATE TABLE hub_sum_reach_prev (kit_id VARCHAR(64) NOT NULL, month CHAR(7) NOT NULL, prev VARCHAR(7) NOT NULL, learners BIGINT NOT NULL, PRIMARY KEY (kit_id, month, prev));
CREATE TABLE hub_sum_lesson_prev (kit_id VARCHAR(64) NOT NULL, pack_id VARCHAR(255) NOT NULL, lesson_id VARCHAR(255) NOT NULL, kind VARCHAR(32) NOT NULL, month CHAR(7) NOT NULL, prev VARCHAR(7) NOT NULL, learners BIGINT NOT NULL, PRIMARY KEY (kit_id, pack_id, lesson_id, kind, month, prev));
-- A batch's learners' earlier lesson months, read before its rows are added (ranges.add).
CREATE INDEX hub_sum_lesson_of_learner ON hub_sum_lesson (kit_id, learner_uuid);
