-- Live classes (kit/live): one teacher leads, every tablet of the class follows. The state
-- every worker process must agree on is here, not in a process's memory: which step the
-- teacher shows, the mode, the question asked to the room, and `rev`, bumped on every change
-- the tablets must see (their poll answers 304 while it stays the same). At most one runs
-- per class; `code` lets a projector show it without a teacher's session.
CREATE TABLE "live_class" ("id" INTEGER NOT NULL PRIMARY KEY, "uuid" VARCHAR(36) NOT NULL, "classroom_id" INTEGER NOT NULL, "session_id" INTEGER, "own_session" INTEGER NOT NULL DEFAULT 0, "pack_id" VARCHAR(64) NOT NULL, "lesson_id" VARCHAR(64) NOT NULL, "step" INTEGER NOT NULL DEFAULT 0, "last_step" INTEGER NOT NULL, "mode" VARCHAR(8) NOT NULL DEFAULT 'follow', "rev" INTEGER NOT NULL DEFAULT 1, "recall" INTEGER NOT NULL DEFAULT 0, "code" VARCHAR(8) NOT NULL, "asked" INTEGER NOT NULL DEFAULT 0, "question" TEXT, "started_by_id" INTEGER, "started_at" DATETIME NOT NULL, "ended_at" DATETIME, FOREIGN KEY ("classroom_id") REFERENCES "classroom" ("id") ON DELETE CASCADE, FOREIGN KEY ("session_id") REFERENCES "class_session" ("id") ON DELETE SET NULL, FOREIGN KEY ("started_by_id") REFERENCES "user" ("id") ON DELETE SET NULL);
CREATE UNIQUE INDEX "live_class_uuid" ON "live_class" ("uuid");
CREATE UNIQUE INDEX "live_class_running" ON "live_class" ("classroom_id") WHERE "ended_at" IS NULL;
CREATE UNIQUE INDEX "live_class_running_code" ON "live_class" ("code") WHERE "ended_at" IS NULL;
-- Who has joined a live class: presence (seen_at, seconds since 1970, written at most every
-- few seconds per tablet), the raised hand, and the hand changes counted per minute so a
-- flood of taps is refused instead of stored.
CREATE TABLE "live_member" ("live_id" INTEGER NOT NULL, "learner_id" INTEGER NOT NULL, "joined_at" INTEGER NOT NULL, "seen_at" INTEGER NOT NULL, "hand_up" INTEGER NOT NULL DEFAULT 0, "hand_at" INTEGER NOT NULL DEFAULT 0, "hand_window" INTEGER NOT NULL DEFAULT 0, "hand_changes" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("live_id", "learner_id"), FOREIGN KEY ("live_id") REFERENCES "live_class" ("id") ON DELETE CASCADE, FOREIGN KEY ("learner_id") REFERENCES "learner" ("id") ON DELETE CASCADE) WITHOUT ROWID;
-- Each learner's latest answer to each question asked to the room: derived from the
-- live_answer events by kit.progress (rebuilt with the progress tables).
CREATE TABLE "live_answer" ("live_uuid" VARCHAR(36) NOT NULL, "question" INTEGER NOT NULL, "learner_id" INTEGER NOT NULL, "choices" TEXT NOT NULL, "correct" INTEGER, "last_seq" INTEGER NOT NULL, PRIMARY KEY ("live_uuid", "question", "learner_id"), FOREIGN KEY ("learner_id") REFERENCES "learner" ("id") ON DELETE CASCADE) WITHOUT ROWID;
