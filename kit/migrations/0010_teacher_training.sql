-- A teacher's own learner profile (issue 17): a teacher account takes courses as a learner
-- of the kit's "Teacher training" class, made on first use from the teacher pages
-- (kit.training). The link stays on the kit; such a learner is opened only through the
-- account's sign-in, never from the tablets' list of names.
ALTER TABLE "learner" ADD COLUMN "teacher_id" INTEGER REFERENCES "user" ("id") ON DELETE SET NULL;
CREATE UNIQUE INDEX "learner_teacher_id" ON "learner" ("teacher_id");
