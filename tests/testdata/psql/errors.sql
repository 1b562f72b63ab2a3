-- Errors as psql shows them: SQLSTATE message, DETAIL, HINT and the
-- position caret.
CREATE TABLE e (id INT PRIMARY KEY, name TEXT NOT NULL, n INT);
INSERT INTO e VALUES (1, 'a', 1);
INSERT INTO e VALUES (1, 'b', 2);
INSERT INTO e VALUES (2, NULL, 2);
INSERT INTO e (id) VALUES (3);
SELECT nosuch FROM e;
SELECT * FROM nosuch;
SELECT id FROM e WHERE name = 1;
SELEC 1;
SELECT 'abc'::int;
SELECT 2147483647::int + 1;
SELECT 1/0;
INSERT INTO e VALUES (4, 'd', 'x');
CREATE TABLE e (id INT);
DROP TABLE nosuch;
UPDATE e SET nosuch = 1;
SELECT id FROM e
  WHERE nosuch = 1;
DROP TABLE e;
