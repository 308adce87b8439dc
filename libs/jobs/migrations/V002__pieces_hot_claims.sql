-- libs/jobs schema, step 2: a piece's claim is a HOT update.
-- PostgreSQL updates a row in place on its page (HOT: no new index entry)
-- only when no column an index names, in its key or in its predicate,
-- changes. The open-pieces index of step 1 named `state` in its predicate,
-- so a piece's claim (state 0 -> 1) and its completion (1 -> 2) each wrote
-- a new row version with new entries in both indexes: a run of n pieces
-- left 2n dead index entries for every later claim to step over. The index
-- now names finish_time, which only the completion sets: the claim, its
-- lease renewals and a takeover are HOT, the completion takes the piece
-- out of the index. Free room on each page (fillfactor) keeps the claim's
-- new version on the piece's own page.
DROP INDEX job_pieces_open;
CREATE INDEX job_pieces_unfinished ON job_pieces (job_id, piece_no) WHERE finish_time IS NULL;
ALTER TABLE job_pieces SET (fillfactor = 50);
