-- A second file, without a trailing newline.
INSERT INTO counters (id, value) VALUES (1, 0), (2, 0);
INSERT INTO doctors (id, on_call) VALUES (1, true), (2, true);