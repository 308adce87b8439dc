-- Idempotency records are now kept per "Service/Method" (the spelling every
-- service derives from the method's descriptor, libs/server access.h
-- IdempotencyMethodName); AuthService stored the bare method name. Renamed
-- so that a retry of a request made before the change still replays.
UPDATE idempotency_keys SET method = 'AuthService/' || method
 WHERE method IN ('CreateUser', 'CreateApiKey', 'RevokeApiKey', 'UnlockUser');
