-- Roles: a programme manager sees everything (every account made before this is one);
-- a remote teacher sees only the kits or classes listed for them in hub_scope.
ALTER TABLE hub_user ADD COLUMN role VARCHAR(16) NOT NULL DEFAULT 'manager';
CREATE TABLE hub_scope (id {pk}, username VARCHAR(64) NOT NULL, kit_id VARCHAR(64) NOT NULL, class_uuid VARCHAR(64) NOT NULL);
CREATE UNIQUE INDEX hub_scope_one ON hub_scope (username, kit_id, class_uuid);
-- Downstream changes: what a remote teacher did, numbered per kit without gaps (seq) and
-- applied once on the kit (sync/hub/changes.py); delivered_at and seen_at come back as events.
CREATE TABLE hub_change (id {pk}, kit_id VARCHAR(64) NOT NULL, seq BIGINT NOT NULL, change_id VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL, class_uuid VARCHAR(64) NOT NULL, learner_uuid VARCHAR(64) NOT NULL, body TEXT NOT NULL, author VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL, delivered_at TIMESTAMP, outcome TEXT NOT NULL, seen_at TIMESTAMP);
CREATE UNIQUE INDEX hub_change_kit_seq ON hub_change (kit_id, seq);
CREATE UNIQUE INDEX hub_change_id ON hub_change (change_id);
