-- `kit sync retry-set-aside` marks set-aside events to be offered to the hub once more.
ALTER TABLE "sync_set_aside" ADD COLUMN "retry" INTEGER NOT NULL DEFAULT 0;
