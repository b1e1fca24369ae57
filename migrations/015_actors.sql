-- The actor of each salesperson, rating and policy act: the authenticated credential
-- (domain/actor.ts: credentialId, username, name, role, and an unverified onBehalfOf),
-- put there by the server. The text columns beside them keep a readable line
-- ("李丽 (li, manager)"); rows written before this migration hold only the name a
-- request body gave, and their actor stays NULL.
ALTER TABLE salesperson_limit_proposals
  ADD COLUMN proposed_by_actor jsonb,
  ADD COLUMN decided_by_actor jsonb;
ALTER TABLE salesperson_reviews ADD COLUMN decided_by_actor jsonb;
ALTER TABLE dealer_performance_scores ADD COLUMN submitted_by_actor jsonb;
ALTER TABLE dealer_conduct_scores ADD COLUMN submitted_by_actor jsonb;
ALTER TABLE dealer_quarterly_sales ADD COLUMN submitted_by_actor jsonb;
ALTER TABLE dealer_quarterly_ratings ADD COLUMN decided_by_actor jsonb;
ALTER TABLE policies ADD COLUMN changed_by_actor jsonb;
