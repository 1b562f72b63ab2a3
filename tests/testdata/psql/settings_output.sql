-- Settings that change how stored values are printed: TimeZone for
-- timestamptz, extra_float_digits for floats (literals read under the
-- settings are in settings_input.sql).
CREATE TABLE ev (id INT PRIMARY KEY, at TIMESTAMPTZ, local TIMESTAMP, day DATE, f8 DOUBLE PRECISION, f4 REAL);
INSERT INTO ev VALUES (1, '2024-03-10 12:34:56.789+00', '2024-03-10 12:34:56.789', '2024-03-10', 0.1, 0.1);
INSERT INTO ev VALUES (2, '2024-07-01 00:00:00+02', '2024-07-01 00:00:00', '2024-07-01', 1.0/3, 2.5);
SELECT id, at, local, day, f8, f4 FROM ev WHERE id >= 1;
SET TimeZone = 'America/New_York';
SELECT id, at, local FROM ev WHERE id >= 1;
SET TIME ZONE 'Asia/Kolkata';
SELECT id, at FROM ev WHERE id >= 1;
SET TimeZone = 'UTC+3';
SELECT id, at FROM ev WHERE id >= 1;
RESET TimeZone;
SELECT id, at FROM ev WHERE id >= 1;
SET extra_float_digits = 3;
SELECT f8, f4 FROM ev WHERE id >= 1;
SET extra_float_digits = 0;
SELECT f8, f4 FROM ev WHERE id >= 1;
SET extra_float_digits = -3;
SELECT f8, f4 FROM ev WHERE id >= 1;
RESET extra_float_digits;
SELECT f8, f4 FROM ev WHERE id >= 1;
BEGIN;
SET LOCAL TimeZone = 'Europe/Paris';
SELECT id, at FROM ev WHERE id = 1;
COMMIT;
SELECT id, at FROM ev WHERE id = 1;
DROP TABLE ev;
