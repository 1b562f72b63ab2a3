-- GENERATED ALWAYS AS (expr) STORED columns.
CREATE TABLE g (id int PRIMARY KEY, price numeric(8,2), qty int, total numeric GENERATED ALWAYS AS (price * qty) STORED, label text GENERATED ALWAYS AS ('item ' || id) STORED);
INSERT INTO g (id, price, qty) VALUES (1, 2.50, 4), (2, 1.00, NULL);
INSERT INTO g VALUES (3, 1, 1, DEFAULT, DEFAULT);
SELECT * FROM g ORDER BY id;
INSERT INTO g VALUES (4, 1, 1, 5);
INSERT INTO g (id, total) VALUES (5, 7);
INSERT INTO g (id, total) SELECT 6, 1;
UPDATE g SET qty = 10 WHERE id = 1 RETURNING *;
UPDATE g SET total = 1;
UPDATE g SET id = id + 10;
SELECT id, label FROM g ORDER BY id;
CREATE INDEX ON g (total);
SELECT id FROM g WHERE total = 25;
CREATE UNIQUE INDEX ON g (label);
COPY g (id, price, qty) FROM stdin;
20	3	3
\.
COPY g FROM stdin;
21	4	4
\.
COPY g (id, total) FROM stdin;
COPY (SELECT * FROM g ORDER BY id) TO stdout;
COPY g (id, total) TO stdout;
SELECT * FROM g ORDER BY id;
-- Errors.
CREATE TABLE bad (a int, b int GENERATED ALWAYS AS (a + random()) STORED);
CREATE TABLE bad (a int, b int GENERATED ALWAYS AS (a) STORED, c int GENERATED ALWAYS AS (b) STORED);
CREATE TABLE bad (a int, b int GENERATED ALWAYS AS ((SELECT 1)) STORED);
CREATE TABLE bad (a int, b int GENERATED ALWAYS AS (count(*)) STORED);
CREATE TABLE bad (a int, b int DEFAULT 1 GENERATED ALWAYS AS (a) STORED);
CREATE TABLE bad (a int, b int GENERATED ALWAYS AS ('x' || a) STORED);
-- ALTER TABLE.
ALTER TABLE g ADD COLUMN twice numeric GENERATED ALWAYS AS (total * 2) STORED;
ALTER TABLE g ADD COLUMN dbl int GENERATED ALWAYS AS (qty * 2) STORED;
SELECT id, qty, dbl FROM g ORDER BY id;
ALTER TABLE g RENAME COLUMN qty TO quantity;
UPDATE g SET quantity = 1 WHERE id = 11 RETURNING *;
ALTER TABLE g ALTER COLUMN quantity TYPE bigint;
ALTER TABLE g DROP COLUMN quantity;
ALTER TABLE g DROP COLUMN quantity CASCADE;
SELECT * FROM g ORDER BY id;
