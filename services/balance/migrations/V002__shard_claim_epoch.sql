-- Each claim of a shard (and each takeover of an expired one) increments the
-- shard's epoch; a completion names the epoch it claimed, so a replica whose
-- lease was taken over cannot store the shard's results a second time.
ALTER TABLE run_shards ADD COLUMN claim_epoch bigint NOT NULL DEFAULT 0;

-- The oldest claim still held (the operator's "stuck replica" gauge).
CREATE INDEX run_shards_claimed ON run_shards (claimed_at) WHERE state = 1;
