-- Read-only views for BI tools, one per report, over the summary tables (fast at any size).
-- docs/hub-operators-guide.md shows the read-only role that may read these and nothing else.
-- Sites are the kits' sites (or their names when a site is blank), as on the report pages.
CREATE VIEW report_hours AS SELECT CASE WHEN k.site = '' THEN k.name ELSE k.site END AS site, s.kit_id, s.month, s.pack_id, s.ms / 3600000.0 AS hours, s.events FROM hub_sum_hours s LEFT JOIN hub_kit k ON k.kit_id = s.kit_id;
CREATE VIEW report_learners AS SELECT CASE WHEN k.site = '' THEN k.name ELSE k.site END AS site, s.kit_id, s.month, COUNT(DISTINCT s.learner_uuid) AS learners FROM hub_sum_learner s LEFT JOIN hub_kit k ON k.kit_id = s.kit_id GROUP BY k.site, k.name, s.kit_id, s.month;
CREATE VIEW report_completion AS SELECT pack_id AS pack, lesson_id AS lesson, COUNT(DISTINCT CASE WHEN kind = 'lesson_opened' THEN kit_id || '/' || learner_uuid END) AS started, COUNT(DISTINCT CASE WHEN kind = 'lesson_completed' THEN kit_id || '/' || learner_uuid END) AS completed FROM hub_sum_lesson GROUP BY pack_id, lesson_id;
CREATE VIEW report_kits AS SELECT name, kit_id, site, location, CASE WHEN revoked_at IS NULL THEN 'active' ELSE 'revoked' END AS status, last_contact, events_received, acked_seq, version FROM hub_kit;
