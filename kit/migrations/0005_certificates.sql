-- Certificates, derived from the `certificate_issued` events in the log (kit progress
-- rebuild remakes this table from them): one per learner and course.
CREATE TABLE "certificate" ("id" INTEGER NOT NULL PRIMARY KEY, "code" VARCHAR(20) NOT NULL, "event_seq" INTEGER NOT NULL, "learner_id" INTEGER NOT NULL, "pack_id" VARCHAR(64) NOT NULL, "pack_version" VARCHAR(40) NOT NULL, "score_pct" INTEGER NOT NULL, "issued_at" VARCHAR(40) NOT NULL, "document" TEXT NOT NULL, "signature" TEXT NOT NULL, "holder_name" TEXT NOT NULL, "holder_salt" TEXT NOT NULL, FOREIGN KEY ("learner_id") REFERENCES "learner" ("id"));
CREATE UNIQUE INDEX "certificate_code" ON "certificate" ("code");
CREATE UNIQUE INDEX "certificate_learner_pack" ON "certificate" ("learner_id", "pack_id");
-- Revocations the hub's managers made, learned on sync: not derived from the log (they
-- come down, not up), so a rebuild leaves them as they are.
CREATE TABLE "certificate_revocation" ("code" VARCHAR(20) NOT NULL PRIMARY KEY, "reason" TEXT NOT NULL, "revoked_at" VARCHAR(40) NOT NULL) WITHOUT ROWID;
