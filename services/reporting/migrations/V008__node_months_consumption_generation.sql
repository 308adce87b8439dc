-- R1: a node's or region's consumption and generation over the month, as
-- balance's node totals give them (consumption_wh / generation_wh: the parts
-- of outflow and inflow at grid users' points). Rows read before this step
-- hold 0 until read again. Forgetting which billing run each month was read
-- from makes the next refresh read every month's node totals again, so a
-- run balance computed with the split shows it; runs balance computed
-- before it answer 0 in both.
ALTER TABLE node_months
  ADD COLUMN consumption_wh bigint NOT NULL DEFAULT 0,
  ADD COLUMN generation_wh bigint NOT NULL DEFAULT 0;
DELETE FROM billing_runs_read;
