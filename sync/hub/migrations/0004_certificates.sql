-- Certificates: each kit's Ed25519 public key (registered at enrolment, or on the first
-- hello of a kit enrolled before), and the certificates whose signature checked out.
-- A certificate_issued event that fails the check stays in hub_event (the kit's cursor
-- moves on) and is noted in hub_certificate_refused, never in hub_certificate.
ALTER TABLE hub_kit ADD COLUMN public_key VARCHAR(64) NOT NULL DEFAULT '';
CREATE TABLE hub_certificate (code VARCHAR(20) NOT NULL PRIMARY KEY, kit_id VARCHAR(64) NOT NULL, event_uuid VARCHAR(64) NOT NULL, learner_uuid VARCHAR(64) NOT NULL, course VARCHAR(64) NOT NULL, pack_version VARCHAR(40) NOT NULL, title TEXT NOT NULL, site TEXT NOT NULL, holder_initials TEXT NOT NULL, holder_name TEXT NOT NULL, score_pct INTEGER NOT NULL, credit_hours VARCHAR(20) NOT NULL, issued_at VARCHAR(40) NOT NULL, corrected_time TIMESTAMP NOT NULL, revoked_at TIMESTAMP, revoked_reason TEXT NOT NULL DEFAULT '', revoked_by VARCHAR(64) NOT NULL DEFAULT '');
CREATE INDEX hub_certificate_kit ON hub_certificate (kit_id);
CREATE TABLE hub_certificate_refused (event_uuid VARCHAR(64) NOT NULL PRIMARY KEY, kit_id VARCHAR(64) NOT NULL, code VARCHAR(40) NOT NULL, reason TEXT NOT NULL, at TIMESTAMP NOT NULL);
