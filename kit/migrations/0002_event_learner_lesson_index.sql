-- Storing a batch looks up the learner's earlier answers in the same lesson attempt (is this
-- the first try? what did the quiz score?) under the write lock. With only the learner_id
-- index that read every event the learner ever sent (milliseconds after a few months of
-- use); this index narrows it to that lesson's answers.
CREATE INDEX "event_learner_lesson_kind" ON "event" ("learner_id", "pack_id", "lesson_id", "kind");
