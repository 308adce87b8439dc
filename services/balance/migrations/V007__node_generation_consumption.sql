-- A node's or region's hour splits its inflow and outflow into the energy
-- measured at grid users' points (terms of the run's participant schemes:
-- generation fed in, consumption taken) and the rest (tie lines to other
-- nodes). Results of runs computed before this step keep 0 in both: the
-- split was not recorded then, and a succeeded run is never rewritten (a
-- constant default adds the columns without touching the rows, so the
-- immutability triggers do not fire).
ALTER TABLE node_hours
  ADD COLUMN generation_wh bigint NOT NULL DEFAULT 0,
  ADD COLUMN consumption_wh bigint NOT NULL DEFAULT 0;
