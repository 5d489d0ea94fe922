-- What a remote teacher did at the hub, as it was applied on this kit (kit.from_afar):
-- one row per downstream change, its id unique so a change applies once; notes and flags
-- are shown from here, and an assignment made from afar is named so it can be undone.
CREATE TABLE "from_afar" ("id" INTEGER NOT NULL PRIMARY KEY, "change_id" VARCHAR(64) NOT NULL, "seq" INTEGER NOT NULL, "kind" VARCHAR(16) NOT NULL, "classroom_id" INTEGER, "learner_id" INTEGER, "pack_id" VARCHAR(64) NOT NULL, "lesson_id" VARCHAR(64) NOT NULL, "due_date" DATE, "text" TEXT NOT NULL, "author" VARCHAR(64) NOT NULL, "made_at" VARCHAR(32) NOT NULL, "applied_at" DATETIME NOT NULL, "outcome" TEXT NOT NULL, "assignment_id" INTEGER, "seen_at" DATETIME, "undone_at" DATETIME, FOREIGN KEY ("classroom_id") REFERENCES "classroom" ("id") ON DELETE SET NULL, FOREIGN KEY ("learner_id") REFERENCES "learner" ("id") ON DELETE SET NULL);
CREATE UNIQUE INDEX "from_afar_change_id" ON "from_afar" ("change_id");
CREATE INDEX "from_afar_learner_id" ON "from_afar" ("learner_id");
CREATE INDEX "from_afar_classroom_id" ON "from_afar" ("classroom_id");
