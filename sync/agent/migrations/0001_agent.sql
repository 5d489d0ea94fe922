-- The agent's state is data: a killed process resumes from these rows.
CREATE TABLE "sync_state" ("id" INTEGER NOT NULL PRIMARY KEY, "hub_url" TEXT NOT NULL, "kit_id" VARCHAR(64) NOT NULL, "secret" VARCHAR(255) NOT NULL, "hub_name" TEXT NOT NULL, "enrolled_at" DATETIME NOT NULL, "stage" VARCHAR(32) NOT NULL, "acked_seq" INTEGER NOT NULL, "acked_anchor" INTEGER NOT NULL, "attempts" INTEGER NOT NULL, "batch_size" INTEGER NOT NULL, "next_attempt_at" DATETIME, "last_attempt_at" DATETIME, "last_success_at" DATETIME, "last_error" TEXT NOT NULL, "last_error_at" DATETIME, "clock_offset_ms" INTEGER, "catalogue_etag" VARCHAR(64) NOT NULL, "last_result" TEXT NOT NULL);
CREATE TABLE "sync_sent_record" ("id" INTEGER NOT NULL PRIMARY KEY, "kind" VARCHAR(16) NOT NULL, "uuid" VARCHAR(64) NOT NULL, "version" INTEGER NOT NULL, "digest" VARCHAR(64) NOT NULL);
CREATE UNIQUE INDEX "sync_sent_record_kind_uuid" ON "sync_sent_record" ("kind", "uuid");
CREATE TABLE "sync_set_aside" ("id" INTEGER NOT NULL PRIMARY KEY, "seq" INTEGER NOT NULL, "uuid" VARCHAR(255) NOT NULL, "error" TEXT NOT NULL, "at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "sync_set_aside_seq" ON "sync_set_aside" ("seq");
CREATE TABLE "sync_anchor" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "boot_id" VARCHAR(64) NOT NULL, "wall_ms" INTEGER NOT NULL, "mono_ms" INTEGER NOT NULL, "last_seq" INTEGER NOT NULL);
CREATE TABLE "sync_download" ("id" INTEGER NOT NULL PRIMARY KEY, "pack_id" VARCHAR(64) NOT NULL, "version" VARCHAR(64) NOT NULL, "sha256" VARCHAR(64) NOT NULL, "size" INTEGER NOT NULL, "bytes_done" INTEGER NOT NULL, "status" VARCHAR(16) NOT NULL, "error" TEXT NOT NULL, "updated_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "sync_download_sha256" ON "sync_download" ("sha256");
