-- A remote teacher can assign a course (issue 19): the change's row remembers that its
-- assignment of a whole pack was meant as the pack's course, for the local teacher's list.
ALTER TABLE "from_afar" ADD COLUMN "course" INTEGER NOT NULL DEFAULT 0;
