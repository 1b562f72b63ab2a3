-- Every type: stored, read back and printed as psql prints PostgreSQL's
-- text output, with typmods in effect.
CREATE TABLE ty (id INT PRIMARY KEY, s SMALLINT, i INTEGER, b BIGINT, t TEXT, bo BOOLEAN,
  r REAL, d DOUBLE PRECISION, n NUMERIC(10,2), vc VARCHAR(5), c CHAR(3),
  dt DATE, ts TIMESTAMP, tz TIMESTAMPTZ, by BYTEA);
INSERT INTO ty VALUES (1, -32768, 2147483647, 9223372036854775807, 'text', true,
  1.5, 0.1, 12345.678, 'abc', 'x', '2024-02-29', '2024-02-29 23:59:59.999999', '2024-02-29 23:59:59+05', '\x00ff');
INSERT INTO ty VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO ty VALUES (3, 0, 0, 0, '', false, -0.0, 1e300, -0.005, '', '', '1999-01-08', '1999-01-08 04:05:06', '1999-01-08 04:05:06 PST', '');
SELECT * FROM ty WHERE id >= 1;
INSERT INTO ty (id, s) VALUES (4, 32768);
INSERT INTO ty (id, vc) VALUES (5, 'toolong');
INSERT INTO ty (id, n) VALUES (6, 123456789.12);
INSERT INTO ty (id, dt) VALUES (7, '2024-02-30');
INSERT INTO ty (id, bo) VALUES (8, 'maybe');
SELECT 1::smallint, 2::int, 3::bigint, 1.5::real, 2.5::float8, 3.14159::numeric(5,2), 'a'::varchar(3), 'a'::char(3), true, 'x'::text;
SELECT '2024-01-01'::date, '2024-01-01 10:00'::timestamp, '\xdeadbeef'::bytea;
SELECT 'NaN'::float8, 'Infinity'::float8, '-Infinity'::real;
DROP TABLE ty;
