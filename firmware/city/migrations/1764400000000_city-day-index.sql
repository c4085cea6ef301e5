-- Up Migration
-- Which days each hall has events on, with the day's last seq and count, kept by
-- the ingest in the same transaction as the events: the pages find a hall's days
-- and the day summaries that are stale without reading the events table.
CREATE TABLE city_day_index (
  hall      text   NOT NULL,
  day       date   NOT NULL,
  last_seq  bigint NOT NULL,
  events    integer NOT NULL,
  PRIMARY KEY (hall, day)
);
INSERT INTO city_day_index (hall, day, last_seq, events)
  SELECT hall, day, max(seq), count(*) FROM city_events GROUP BY hall, day;

-- Down Migration
DROP TABLE city_day_index;
