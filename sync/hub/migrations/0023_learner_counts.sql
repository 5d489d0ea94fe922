-- Learner counts kept beside hub_sum_learner (issue 20), so the programme page and the
-- learners-reached report never count distinct learners over it: with many learners it
-- holds nearly a row per event. hub_sum_reach: a kit's distinct learners in a month (any
-- pack); hub_sum_person: each learner a kit has ever reported; hub_sum_people: their number
-- per kit. Kept as events are stored, remade by `kit hub reports rebuild` (summaries.py).
-- The view report_learners stays as it was: dropping it would drop a read-only role's grant.
CREATE TABLE hub_sum_reach (kit_id VARCHAR(64) NOT NULL, month CHAR(7) NOT NULL, learners BIGINT NOT NULL, PRIMARY KEY (kit_id, month));
CREATE INDEX hub_sum_reach_month ON hub_sum_reach (month, kit_id);
CREATE TABLE hub_sum_person (kit_id VARCHAR(64) NOT NULL, learner_uuid VARCHAR(64) NOT NULL, PRIMARY KEY (kit_id, learner_uuid));
CREATE TABLE hub_sum_people (kit_id VARCHAR(64) NOT NULL PRIMARY KEY, learners BIGINT NOT NULL);
