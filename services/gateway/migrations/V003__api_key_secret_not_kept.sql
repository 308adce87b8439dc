-- CreateApiKey's idempotency records kept the whole response, the key's
-- secret included, so a retry returned the secret again. New records keep
-- the response without it (auth_service.cc); this removes it from the
-- records already there. A stored CreateApiKeyResponse is field 1 (the
-- ApiKey: tag 0x0A, its length as a 1- or 2-byte varint, the message)
-- followed by field 2 (the secret); only field 1 is kept. A record of any
-- other shape is deleted rather than kept with a secret in it (a retry of
-- that request then makes a new key).
DO $$
DECLARE
  rec record;
  len integer;   -- length of the ApiKey message
  head integer;  -- bytes of its tag and length
BEGIN
  FOR rec IN SELECT request_id, response FROM idempotency_keys
             WHERE method = 'CreateApiKey' FOR UPDATE LOOP
    len := NULL;
    IF length(rec.response) >= 2 AND get_byte(rec.response, 0) = 10 THEN
      IF get_byte(rec.response, 1) < 128 THEN
        len := get_byte(rec.response, 1);
        head := 2;
      ELSIF length(rec.response) >= 3 AND get_byte(rec.response, 2) < 128 THEN
        len := get_byte(rec.response, 1) - 128 + 128 * get_byte(rec.response, 2);
        head := 3;
      END IF;
    END IF;
    IF len IS NOT NULL AND head + len <= length(rec.response) THEN
      UPDATE idempotency_keys SET response = substring(rec.response FROM 1 FOR head + len)
      WHERE method = 'CreateApiKey' AND request_id = rec.request_id;
    ELSE
      DELETE FROM idempotency_keys
      WHERE method = 'CreateApiKey' AND request_id = rec.request_id;
    END IF;
  END LOOP;
END
$$;
