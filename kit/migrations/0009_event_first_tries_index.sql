-- Storing an answer asks which questions of that lesson attempt were answered before (is
-- this the first try?), and a quiz's end asks for the first tries' results (its score).
-- Through event_learner_lesson_kind that read every answer of the lesson, in every
-- attempt: a child tapping the same question again and again made each tap slower (under
-- the class-load bench's answer hammer, 15 % of the kit's busy time). The first try of
-- each question is all either question needs: at most one row per question and attempt.
CREATE INDEX "event_first_tries" ON "event" (
    "learner_id", "pack_id", "lesson_id", json_extract("payload", '$.attempt')
) WHERE "kind" = 'answer' AND json_extract("payload", '$.first_try') = 1;
