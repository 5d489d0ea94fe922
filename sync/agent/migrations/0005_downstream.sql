-- Downstream changes from the hub (sync/agent/downstream.py): the highest change seq
-- applied on this kit, moved in the same transaction as the change itself.
ALTER TABLE "sync_state" ADD COLUMN "changes_seq" INTEGER NOT NULL DEFAULT 0;
