-- The chosen model's backtest forecasts of each series, so that the sums of
-- a region's or the nation's series can be scored against the sums of their
-- actuals (region and nation accuracy). One entry per (origin, horizon):
-- the origin as the index of the first forecast month in the series'
-- history, the horizon 1-based. NULL for the runs made before.
ALTER TABLE forecast_series
  ADD COLUMN backtest_origin bigint[],
  ADD COLUMN backtest_horizon bigint[],
  ADD COLUMN backtest_forecast_wh bigint[];
