-- Where `kit hub xapi forward` stands: the last hub_event id the LRS acknowledged (events go
-- in id order, the order the hub stored them), what it sent, and its last problem.
CREATE TABLE hub_lrs_cursor (id INTEGER NOT NULL PRIMARY KEY, last_event_id BIGINT NOT NULL, sent BIGINT NOT NULL, last_error TEXT NOT NULL, updated_at TIMESTAMP);
INSERT INTO hub_lrs_cursor (id, last_event_id, sent, last_error) VALUES (1, 0, 0, '');
