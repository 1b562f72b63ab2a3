-- Expression indexes: maintained on every write, unique ones enforced.
CREATE TABLE eu (id int PRIMARY KEY, email text, first text, last text);
INSERT INTO eu VALUES (1, 'Ann@X.org', 'Ann', 'Lee'), (2, 'bob@x.org', 'Bob', 'Ray');
CREATE UNIQUE INDEX eu_email_lower ON eu (lower(email));
INSERT INTO eu VALUES (3, 'ANN@x.ORG', 'A', 'L');
INSERT INTO eu VALUES (3, 'cat@x.org', 'Cat', 'Kim');
UPDATE eu SET email = 'BOB@X.ORG' WHERE id = 3;
UPDATE eu SET email = 'ann2@x.org' WHERE id = 1;
INSERT INTO eu VALUES (4, 'ann@x.org', 'Ann', 'New');
CREATE INDEX ON eu ((first || ' ' || last));
CREATE UNIQUE INDEX ON eu (lower(first), lower(last));
INSERT INTO eu VALUES (5, 'z@x', 'ANN', 'NEW');
SELECT * FROM eu ORDER BY id;
SELECT id FROM eu WHERE lower(email) = 'bob@x.org';
-- A duplicate among existing rows fails the build.
CREATE UNIQUE INDEX eu_last ON eu (upper(last));
INSERT INTO eu VALUES (6, 'q@x', 'Q', 'lee');
CREATE UNIQUE INDEX eu_last ON eu (upper(last));
-- Errors.
CREATE INDEX bad ON eu ((random() > 0.5));
CREATE INDEX bad ON eu ((now()));
CREATE INDEX bad ON eu ((nope + 1));
CREATE INDEX bad ON eu ((count(*)));
-- The columns an expression reads: renamed, dropped.
ALTER TABLE eu RENAME COLUMN email TO mail;
INSERT INTO eu VALUES (7, 'BOB@x.org', 'B', 'B');
ALTER TABLE eu DROP COLUMN mail;
INSERT INTO eu VALUES (7, 'B', 'B');
DROP INDEX eu_lower_lower1_idx;
DROP INDEX eu_lower_lower_idx;
INSERT INTO eu VALUES (8, 'ann', 'new');
SELECT * FROM eu ORDER BY id;
-- Queries over an indexed expression read the index and answer as the table does.
CREATE TABLE eq (id int PRIMARY KEY, email text);
INSERT INTO eq SELECT g, 'User' || g || '@X.org' FROM generate_series(1, 300) g;
CREATE INDEX eq_lower ON eq (lower(email));
SELECT id FROM eq WHERE lower(email) = 'user7@x.org';
SELECT id FROM eq WHERE lower(email) IN ('user1@x.org', 'user2@x.org', 'nobody') ORDER BY id;
SELECT count(*) FROM eq WHERE lower(email) >= 'user2' AND lower(email) < 'user3';
UPDATE eq SET email = 'Moved@X.org' WHERE id = 7;
SELECT id FROM eq WHERE lower(email) = 'user7@x.org';
SELECT id FROM eq WHERE lower(email) = 'moved@x.org';
DELETE FROM eq WHERE lower(email) = 'moved@x.org';
SELECT count(*) FROM eq;
