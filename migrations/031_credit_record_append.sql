-- The credit record's chain extended in one statement (docs/performance.md, "The credit
-- record's chain in one statement"). The chain has one writer at a time: a transaction takes
-- the chain's lock, reads the last hash, numbers its rows and inserts them, and keeps the lock
-- until it commits. Done from the client, that was four round trips under the lock, each one
-- waiting for a busy worker process to be scheduled again; every other writer in the company
-- waited behind them. Here the lock, the reads, the numbering, the hashes and the inserts are
-- one call, so the lock is held for the call and the COMMIT after it.
--
-- records: a JSON array; each element has the row's columns (subjectType, subjectId,
-- eventType, payload as canonical JSON text, source, idempotencyKey) and the record's hashed
-- content around the two values assigned here: head (up to `"recordedAt":`) and tail (from
-- `,"source":`), as the application's canonicalJson writes them. The hash is the same SHA-256
-- the application computes and verifies: over the previous hash, then
-- head + "<recordedAt as ISO-8601 in UTC, milliseconds>" + ',"seq":' + seq + tail.
-- Records whose idempotency key is already recorded (or earlier in the same array) are
-- skipped. Returns the idempotency keys it recorded, in chain order.
CREATE FUNCTION credit_record_append(records jsonb) RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE
  r jsonb;
  prev text;
  next_seq bigint;
  hashed text;
  at timestamptz := date_trunc('milliseconds', now());
  at_json text := '"' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"';
BEGIN
  -- One writer at a time extends the chain; the lock ends with the transaction. Each statement
  -- below sees what committed while this one waited (a volatile function's fresh snapshot).
  PERFORM pg_advisory_xact_lock(727275);
  SELECT hash INTO prev FROM credit_records ORDER BY seq DESC LIMIT 1;
  prev := coalesce(prev, repeat('0', 64));
  FOR r IN SELECT value FROM jsonb_array_elements(records) LOOP
    CONTINUE WHEN EXISTS (SELECT 1 FROM credit_records WHERE idempotency_key = r->>'idempotencyKey');
    next_seq := nextval('credit_records_seq_seq');
    hashed := encode(sha256(convert_to(
      prev || (r->>'head') || at_json || ',"seq":' || next_seq::text || (r->>'tail'), 'UTF8')), 'hex');
    INSERT INTO credit_records (seq, subject_type, subject_id, event_type, payload, source,
                                idempotency_key, recorded_at, prev_hash, hash)
    VALUES (next_seq, r->>'subjectType', r->>'subjectId', r->>'eventType', (r->>'payload')::jsonb,
            r->>'source', r->>'idempotencyKey', at, prev, hashed);
    prev := hashed;
    RETURN NEXT r->>'idempotencyKey';
  END LOOP;
END $$;
