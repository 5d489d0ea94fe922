-- hub_event_corrected served the reports while they scanned hub_event; they read the summary
-- tables now (0020), and nothing filters events by their time any more (the class view and the
-- changes read a kit's events, the LRS forwarder goes by id). One index fewer to write for each
-- event stored: about 1.5 us of PostgreSQL's time an event of the ~21 us its insert costs
-- (docs/performance.md), and the index's disk.
DROP INDEX IF EXISTS hub_event_corrected;
