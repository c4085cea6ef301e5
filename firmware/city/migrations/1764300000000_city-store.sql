-- Up Migration
-- The city store: every hall's event log, keyed by (hall, seq), partitioned by
-- month of the service day; what each hall last said about itself; and the
-- day summaries the city folds from the events (a cache, recomputed when a day's
-- events change). See firmware/city/README.md.

CREATE TABLE city_halls (
  hall        text PRIMARY KEY,
  -- Every event of the hall's log up to this seq is stored (the ack the hall resumes from).
  acked_seq   bigint NOT NULL DEFAULT 0,
  -- The hall's log as it last described it (hello): first and last seq.
  log_first   bigint,
  log_last    bigint,
  version     text,
  config      jsonb,
  config_at   timestamptz,
  first_seen  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE city_events (
  hall        text   NOT NULL,
  seq         bigint NOT NULL,
  day         date   NOT NULL,
  at          bigint NOT NULL,            -- epoch ms, as the hall stored it
  kind        text   NOT NULL,
  ticket      text,
  service     text,
  "window"    text,
  staff       text,
  -- The event log's typed columns (firmware/eventlog/rows.ts): statistics read these.
  recall      smallint,
  arrived_at  bigint,
  priority    smallint,
  kiosk       text,
  from_service text,
  score       text,
  reason      text,
  status      text,
  data        jsonb  NOT NULL,            -- the HallEvent
  -- When the row was written (after the hall's lock: in seq order within a hall).
  received_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- The partition key must be part of the key; a hall's (seq → day) never changes,
  -- so this is the (hall, seq) key, ordered for "a hall's day in order".
  PRIMARY KEY (hall, day, seq)
) PARTITION BY RANGE (day);

-- Each window's status carried over from an earlier day (statistics).
CREATE INDEX city_events_window_status ON city_events (hall, "window", seq) WHERE kind = 'window-status';

CREATE TABLE city_alerts (
  hall        text PRIMARY KEY,
  at          timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  alerts      jsonb NOT NULL
);

CREATE TABLE city_devices (
  hall        text PRIMARY KEY,
  at          timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  devices     jsonb NOT NULL
);

CREATE TABLE city_days (
  hall        text NOT NULL,
  day         date NOT NULL,
  version     integer NOT NULL,
  config      text NOT NULL,              -- fingerprint of the limits the summary used
  last_seq    bigint NOT NULL,
  events      integer NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  data        jsonb NOT NULL,             -- DaySummary (firmware/stats/day.ts)
  PRIMARY KEY (hall, day)
);

CREATE TABLE city_reported_days (
  hall        text NOT NULL,
  day         date NOT NULL,
  events      integer NOT NULL,
  last_seq    bigint NOT NULL,
  total       jsonb NOT NULL,             -- the hall's own figures for the day
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (hall, day)
);

-- Down Migration
DROP TABLE city_reported_days;
DROP TABLE city_days;
DROP TABLE city_devices;
DROP TABLE city_alerts;
DROP TABLE city_events;
DROP TABLE city_halls;
