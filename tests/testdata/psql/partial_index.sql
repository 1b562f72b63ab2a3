-- Partial indexes: entries only for the rows the predicate holds for.
CREATE TABLE acc (id int PRIMARY KEY, email text, deleted_at timestamp, n int);
CREATE UNIQUE INDEX acc_live_email ON acc (email) WHERE deleted_at IS NULL;
INSERT INTO acc VALUES (1, 'a@x', NULL, 1), (2, 'a@x', '2024-01-01', 2), (3, 'b@x', NULL, 3);
INSERT INTO acc VALUES (4, 'a@x', NULL, 4);
INSERT INTO acc VALUES (4, 'a@x', '2024-02-02', 4);
UPDATE acc SET deleted_at = '2024-03-03' WHERE id = 1;
INSERT INTO acc VALUES (5, 'a@x', NULL, 5);
UPDATE acc SET deleted_at = NULL WHERE id = 2;
UPDATE acc SET email = 'c@x' WHERE id = 5;
UPDATE acc SET deleted_at = NULL WHERE id = 2;
DELETE FROM acc WHERE id = 5;
UPDATE acc SET deleted_at = NULL WHERE id = 2;
SELECT * FROM acc WHERE email = 'a@x' ORDER BY id;
SELECT id FROM acc WHERE email = 'a@x' AND deleted_at IS NULL;
-- An existing duplicate among the covered rows fails the build.
CREATE UNIQUE INDEX acc_all_email ON acc (email);
CREATE UNIQUE INDEX acc_small ON acc (email) WHERE n < 3;
CREATE INDEX acc_n ON acc (n) WHERE n > 2;
SELECT id FROM acc WHERE n = 1;
SELECT id FROM acc WHERE n > 2 ORDER BY id;
-- Errors in the predicate.
CREATE INDEX bad ON acc (n) WHERE nope > 1;
CREATE INDEX bad ON acc (n) WHERE n;
CREATE INDEX bad ON acc (n) WHERE n > (SELECT 1);
CREATE INDEX bad ON acc (n) WHERE count(*) > 1;
CREATE INDEX bad ON acc (n) WHERE deleted_at < now();
CREATE INDEX bad ON acc (n) WHERE random() > 0.5;
-- Renaming and dropping the predicate's columns.
ALTER TABLE acc RENAME COLUMN deleted_at TO removed_at;
INSERT INTO acc VALUES (6, 'b@x', NULL, 6);
ALTER TABLE acc DROP COLUMN removed_at;
INSERT INTO acc VALUES (6, 'b@x', 6);
SELECT count(*) FROM acc;
-- ON CONFLICT does not infer a partial index without its predicate.
CREATE TABLE oc (a int, b int);
CREATE UNIQUE INDEX oc_a ON oc (a) WHERE b > 0;
INSERT INTO oc VALUES (1, 1) ON CONFLICT (a) DO NOTHING;
INSERT INTO oc VALUES (1, 1) ON CONFLICT DO NOTHING;
SELECT * FROM oc;
