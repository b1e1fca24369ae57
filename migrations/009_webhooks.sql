-- Outgoing webhooks: subscriptions, an outbox of deliveries (one per subscription
-- and event, written in the transaction that records the event) and every attempt.

CREATE TABLE webhook_subscriptions (
  id              text PRIMARY KEY,
  url             text NOT NULL CHECK (url ~ '^https?://'),
  all_events      boolean NOT NULL,
  events          text[] NOT NULL DEFAULT '{}',
  description     text,
  -- Kept as issued: signing needs the secret itself, so it cannot be hashed like a
  -- credential. It is shown once, on creation, and never returned by the API again.
  secret          text NOT NULL,
  active          boolean NOT NULL DEFAULT true,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  deactivated_at  timestamptz,
  CHECK (all_events OR cardinality(events) > 0)
);

CREATE TABLE webhook_deliveries (
  id                text PRIMARY KEY,
  subscription_id   text NOT NULL REFERENCES webhook_subscriptions (id),
  event_id          text NOT NULL,
  event_type        text NOT NULL,
  receivable_id     text,
  payload           jsonb NOT NULL,
  status            text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts          integer NOT NULL DEFAULT 0,
  -- Pending: when the dispatcher may (re)try it; while an attempt runs, the end of its lease.
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  last_status_code  integer,
  last_error        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  -- An activity retry or a replayed record never enqueues the same event twice.
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (subscription_id, created_at DESC);

CREATE TABLE webhook_attempts (
  delivery_id     text NOT NULL REFERENCES webhook_deliveries (id),
  attempt         integer NOT NULL CHECK (attempt >= 1),
  started_at      timestamptz NOT NULL,
  duration_ms     integer NOT NULL,
  status_code     integer,
  error           text,
  -- The wait chosen after this attempt failed; NULL when delivered or given up.
  retry_in_ms     integer,
  PRIMARY KEY (delivery_id, attempt)
);
