-- "Sign language first" on a learner's profile (issue 18): the lesson player then shows
-- each page's sign-language video first and large, with the text under it. Set by the
-- teacher on the roster or by the learner from a picture button; it stays on the kit.
ALTER TABLE "learner" ADD COLUMN "sign_first" INTEGER NOT NULL DEFAULT 0;
