-- Idempotency records are now kept per "Service/Method" (the spelling every
-- service derives from the method's descriptor, libs/server access.h
-- IdempotencyMethodName); this service stored the bare method name. Renamed
-- so that a retry of a request made before the change still replays.
UPDATE idempotency_keys SET method = 'BillingPeriodService/' || method
 WHERE method = 'TransitionPeriod';
UPDATE idempotency_keys SET method = 'InvoiceRunService/' || method
 WHERE method IN ('StartInvoiceRun', 'CancelInvoiceRun');
UPDATE idempotency_keys SET method = 'PaymentService/' || method
 WHERE method = 'ImportPayments';
