-- Operator classes and INCLUDE columns.
CREATE TABLE io (id int PRIMARY KEY, name varchar(20), email text, n int, code char(3));
INSERT INTO io VALUES (1, 'alpha', 'a@x', 1, 'aaa'), (2, 'beta', 'b@x', 2, 'bbb'), (3, 'alphabet', 'c@x', 3, 'abc');
CREATE INDEX io_name_like ON io (name varchar_pattern_ops);
CREATE INDEX io_email_like ON io (email text_pattern_ops, n int4_ops DESC);
CREATE INDEX io_code_like ON io (code bpchar_pattern_ops);
CREATE UNIQUE INDEX io_email_incl ON io (email) INCLUDE (name, n);
SELECT id FROM io WHERE name LIKE 'alpha%' ORDER BY id;
SELECT id FROM io WHERE email = 'b@x';
INSERT INTO io VALUES (4, 'x', 'b@x', 4, 'xxx');
CREATE INDEX bad ON io (n text_pattern_ops);
CREATE INDEX bad ON io (name nosuch_ops);
CREATE INDEX bad ON io (name) INCLUDE (nope);
ALTER TABLE io DROP COLUMN name;
INSERT INTO io VALUES (4, 'b@x', 4, 'xxx');
ALTER TABLE io DROP COLUMN n;
INSERT INTO io VALUES (5, 'b@x', 'yyy');
SELECT * FROM io ORDER BY id;
