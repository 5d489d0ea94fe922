-- An event is identified by its UUID alone: a kit restored from an older backup numbers
-- new events with seqs the hub already holds for other events, and those must be kept.
DROP INDEX hub_event_kit_seq;
CREATE INDEX hub_event_kit_seq_any ON hub_event (kit_id, seq);
