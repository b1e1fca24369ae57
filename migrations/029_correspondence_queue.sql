-- A reader's day of correspondence learns of its items from PostgreSQL, not one signal each
-- (docs/correspondence.md). A step's activity queues its item here; only an item that finds
-- the day asleep (nothing queued and no message on its way) wakes the day's workflow by
-- signal-with-start. The day's send claims the queued items with the ones it was signalled, in
-- one transaction that locks the day's row, so an item queued while a send claims is either in
-- that message or finds the day asleep afterwards and wakes it.
CREATE TABLE correspondence_days (
  audience  text NOT NULL CHECK (audience IN ('debtor', 'salesperson')),
  party_id  text NOT NULL,
  day       date NOT NULL,
  awake     boolean NOT NULL DEFAULT false,
  PRIMARY KEY (audience, party_id, day)
);

CREATE TABLE correspondence_queue (
  item_key       text PRIMARY KEY,
  audience       text NOT NULL,
  party_id       text NOT NULL,
  day            date NOT NULL,
  receivable_id  text NOT NULL,
  step           text NOT NULL,
  queued_at      timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX correspondence_queue_day ON correspondence_queue (audience, party_id, day, queued_at);
