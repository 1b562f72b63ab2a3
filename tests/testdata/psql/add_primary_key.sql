-- ALTER TABLE … ADD PRIMARY KEY on a table created without one.
CREATE TABLE b (bid int, bbalance int, filler char(10));
INSERT INTO b VALUES (3, 30, 'c'), (1, 10, 'a'), (2, 20, 'b');
CREATE INDEX b_bal ON b (bbalance);
CREATE UNIQUE INDEX b_filler ON b (filler);
ALTER TABLE b ADD PRIMARY KEY (bid);
SELECT * FROM b ORDER BY bid;
SELECT * FROM b WHERE bid = 2;
SELECT bid FROM b WHERE bbalance = 30;
INSERT INTO b VALUES (2, 22, 'z');
INSERT INTO b VALUES (4, 40, 'a');
INSERT INTO b VALUES (NULL, 40, 'q');
UPDATE b SET bid = 5 WHERE bid = 1;
SELECT * FROM b ORDER BY bid;
ALTER TABLE b ADD PRIMARY KEY (bbalance);
ALTER TABLE b ADD CONSTRAINT again PRIMARY KEY (bid);
-- Errors on the existing rows.
CREATE TABLE d (a int, b text);
INSERT INTO d VALUES (1, 'x'), (1, 'y');
ALTER TABLE d ADD PRIMARY KEY (a);
ALTER TABLE d ADD PRIMARY KEY (nope);
ALTER TABLE d ADD PRIMARY KEY (a, a);
INSERT INTO d VALUES (NULL, 'z');
ALTER TABLE d ADD PRIMARY KEY (a, b);
DELETE FROM d WHERE a IS NULL;
ALTER TABLE d ADD CONSTRAINT d_key PRIMARY KEY (a, b);
INSERT INTO d VALUES (1, 'x');
SELECT * FROM d ORDER BY a, b;
-- Then a foreign key can reference it.
CREATE TABLE e (a int, b text, FOREIGN KEY (a, b) REFERENCES d);
INSERT INTO e VALUES (1, 'y');
INSERT INTO e VALUES (2, 'y');
-- In a transaction that rolls back, the table keeps its rows.
BEGIN;
CREATE TABLE f (k int);
INSERT INTO f VALUES (1), (2);
COMMIT;
BEGIN;
ALTER TABLE f ADD PRIMARY KEY (k);
ROLLBACK;
INSERT INTO f VALUES (1);
SELECT * FROM f ORDER BY k;
