-- Grouped correspondence (docs/correspondence.md): one message per debtor (or salesperson) and
-- working day lists many items, each a receivable's step (`<receivableId>:<step><round>`).
-- Each item key is claimed by exactly one message key, in one transaction: no item goes in two
-- messages. An item whose receivable was paid or closed before the send is claimed too, left out
-- of the message, with the reason.
CREATE TABLE correspondence_messages (
  message_key     text PRIMARY KEY,
  audience        text NOT NULL CHECK (audience IN ('debtor', 'salesperson')),
  party_id        text NOT NULL,
  day             date NOT NULL,
  workflow_id     text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX correspondence_messages_party ON correspondence_messages (party_id, day);

CREATE TABLE correspondence_items (
  item_key        text PRIMARY KEY,
  message_key     text NOT NULL REFERENCES correspondence_messages (message_key),
  receivable_id   text NOT NULL,
  step            text NOT NULL,
  included        boolean NOT NULL,
  left_out_reason text,
  claimed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX correspondence_items_message ON correspondence_items (message_key);
CREATE INDEX correspondence_items_receivable ON correspondence_items (receivable_id);
