-- An enrol code is bound when it is made: for_kit empty is for a new kit only, else it
-- re-enrols that one kit. Codes made before this migration are for new kits only.
ALTER TABLE hub_enroll_code ADD COLUMN for_kit VARCHAR(64);
-- Accounts can be switched off; sign-ins are rows, so sign-out, a new password or a
-- switched-off account ends them at once, and an idle one expires.
ALTER TABLE hub_user ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
CREATE TABLE hub_web_session (id VARCHAR(64) NOT NULL PRIMARY KEY, username VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL, seen_at TIMESTAMP NOT NULL);
CREATE INDEX hub_web_session_user ON hub_web_session (username);
