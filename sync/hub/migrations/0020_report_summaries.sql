-- Summary tables, per kit, month and pack (a course, until courses exist), the reports read (sync/hub/summaries.py), kept as events are stored and
-- remade from hub_event by `kit hub reports rebuild`. Per kit, not per site: a kit's site
-- may be renamed, and the reports map kits to sites as they read. Month is the corrected
-- time's 'YYYY-MM'. Numbered 0020 (issue 20) to stay clear of other branches' 0004s.
CREATE TABLE hub_sum_hours (kit_id VARCHAR(64) NOT NULL, month CHAR(7) NOT NULL, pack_id VARCHAR(255) NOT NULL, ms BIGINT NOT NULL, events BIGINT NOT NULL, PRIMARY KEY (kit_id, month, pack_id));
CREATE TABLE hub_sum_learner (kit_id VARCHAR(64) NOT NULL, month CHAR(7) NOT NULL, pack_id VARCHAR(255) NOT NULL, learner_uuid VARCHAR(64) NOT NULL, PRIMARY KEY (kit_id, month, pack_id, learner_uuid));
CREATE TABLE hub_sum_lesson (kit_id VARCHAR(64) NOT NULL, month CHAR(7) NOT NULL, pack_id VARCHAR(255) NOT NULL, lesson_id VARCHAR(255) NOT NULL, learner_uuid VARCHAR(64) NOT NULL, kind VARCHAR(32) NOT NULL, PRIMARY KEY (kit_id, month, pack_id, lesson_id, learner_uuid, kind));
CREATE INDEX hub_sum_lesson_course ON hub_sum_lesson (pack_id, lesson_id);
