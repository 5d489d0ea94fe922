-- Sign-ins kept on the kit: a session cookie names a row here, so signing out, a new
-- password or a deactivated account or learner ends that session at once, in every server
-- process. Times are seconds since 1970 (UTC).
CREATE TABLE "web_session" ("id" VARCHAR(64) NOT NULL PRIMARY KEY, "user_id" INTEGER, "learner_id" INTEGER, "created_at" INTEGER NOT NULL, "seen_at" INTEGER NOT NULL, FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE, FOREIGN KEY ("learner_id") REFERENCES "learner" ("id") ON DELETE CASCADE) WITHOUT ROWID;
CREATE INDEX "web_session_user_id" ON "web_session" ("user_id");
CREATE INDEX "web_session_learner_id" ON "web_session" ("learner_id");
-- Failed sign-ins (teachers' passwords, learners' picture passwords), counted per key over
-- a window; in the database so a restart forgets nothing and every process counts them all.
CREATE TABLE "login_failure" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(255) NOT NULL, "at" DATETIME NOT NULL);
CREATE INDEX "login_failure_key_at" ON "login_failure" ("key", "at");
