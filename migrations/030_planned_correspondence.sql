-- A timeline step's notice and tasks can be planned ahead (docs/correspondence.md, "Planned
-- items"): when the receivable learns the working day its next step fires on, it queues that
-- step's items for the reader's day with the instant they fall due, and tells the day's
-- workflow once. At that instant the day sends them from here, without waiting for each
-- receivable's own step: in a storm of thousands of reminders the debtor's message goes out on
-- time, and each step, when its turn comes, finds its item already claimed.
--
-- planned_for: when a planned item falls due (NULL: due now, the step has fired).
-- plan_due_date, plan_paused_days: the receivable's due date and paused days the plan was made
--   on. A message takes a planned item only while the receivable's recorded row still says the
--   same and no valid reason holds; otherwise the item leaves the queue unsent, and the step,
--   if it still fires, queues it afresh.
-- correspondence_days.planned_for: the planned instant the day's workflow was last told of.
ALTER TABLE correspondence_queue
  ADD COLUMN planned_for timestamptz,
  ADD COLUMN plan_due_date date,
  ADD COLUMN plan_paused_days integer;

ALTER TABLE correspondence_days ADD COLUMN planned_for timestamptz;
