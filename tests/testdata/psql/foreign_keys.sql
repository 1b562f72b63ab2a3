-- FOREIGN KEY constraints: creation, checks, actions, errors and DDL.
CREATE TABLE p (id int PRIMARY KEY, code text UNIQUE, name text);
CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p, code text REFERENCES p (code) ON DELETE CASCADE ON UPDATE CASCADE);
INSERT INTO p VALUES (1, 'a', 'one'), (2, 'b', 'two'), (3, 'c', 'three');
INSERT INTO c VALUES (10, 1, 'a'), (11, 2, 'b'), (12, NULL, 'a');
-- Missing parents, in either column.
INSERT INTO c VALUES (13, 5, NULL);
INSERT INTO c VALUES (14, NULL, 'zz');
UPDATE c SET pid = 9 WHERE id = 11;
-- NULLs pass under MATCH SIMPLE.
INSERT INTO c VALUES (15, NULL, NULL);
-- NO ACTION on delete and on update of the key.
DELETE FROM p WHERE id = 2;
UPDATE p SET id = 20 WHERE id = 2;
-- Other columns of a referenced row change freely.
UPDATE p SET name = 'TWO' WHERE id = 2;
-- ON UPDATE CASCADE and ON DELETE CASCADE.
UPDATE p SET code = 'bb' WHERE id = 2;
SELECT * FROM c ORDER BY id;
DELETE FROM p WHERE id = 3;
DELETE FROM c WHERE id = 10;
DELETE FROM p WHERE code = 'a' RETURNING *;
SELECT * FROM c ORDER BY id;
-- A parent and its child in one statement, in either order.
CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree ON DELETE CASCADE, label text);
INSERT INTO tree VALUES (2, 1, 'b'), (1, NULL, 'a'), (3, 2, 'c'), (4, 3, 'd'), (5, 1, 'e');
INSERT INTO tree VALUES (6, 60, 'x');
DELETE FROM tree WHERE id = 2;
SELECT * FROM tree ORDER BY id;
-- A self reference: deleting every row at once is fine.
CREATE TABLE emp (id int PRIMARY KEY, boss int REFERENCES emp);
INSERT INTO emp VALUES (1, NULL), (2, 1), (3, 2);
DELETE FROM emp WHERE id = 2;
DELETE FROM emp;
SELECT count(*) FROM emp;
-- SET NULL and SET DEFAULT, RESTRICT.
CREATE TABLE acct (id int PRIMARY KEY);
INSERT INTO acct VALUES (0), (1), (2), (3);
CREATE TABLE txn (id int PRIMARY KEY, a int DEFAULT 0 REFERENCES acct ON DELETE SET DEFAULT,
    b int REFERENCES acct ON DELETE SET NULL ON UPDATE SET NULL, r int REFERENCES acct ON DELETE RESTRICT);
INSERT INTO txn VALUES (1, 1, 1, NULL), (2, 2, 2, 3);
DELETE FROM acct WHERE id = 1;
UPDATE acct SET id = 12 WHERE id = 2;
SELECT * FROM txn ORDER BY id;
DELETE FROM acct WHERE id = 3;
DELETE FROM acct WHERE id = 0;
SELECT * FROM txn ORDER BY id;
-- SET NULL on a NOT NULL column.
CREATE TABLE nn (id int PRIMARY KEY, a int NOT NULL REFERENCES acct ON DELETE SET NULL);
INSERT INTO nn VALUES (1, 12);
DELETE FROM acct WHERE id = 12;
-- Multi-column keys and MATCH FULL.
CREATE TABLE pk2 (a int, b int, PRIMARY KEY (a, b));
INSERT INTO pk2 VALUES (1, 1), (1, 2);
CREATE TABLE fk2 (x int, y int, FOREIGN KEY (x, y) REFERENCES pk2 (a, b));
INSERT INTO fk2 VALUES (1, 2), (1, NULL), (NULL, 7);
INSERT INTO fk2 VALUES (2, 1);
CREATE TABLE fk2f (x int, y int, CONSTRAINT full_fk FOREIGN KEY (y, x) REFERENCES pk2 (b, a) MATCH FULL);
INSERT INTO fk2f VALUES (1, 2), (NULL, NULL);
INSERT INTO fk2f VALUES (1, NULL);
INSERT INTO fk2f VALUES (2, 1);
DELETE FROM pk2 WHERE b = 1;
DELETE FROM pk2 WHERE b = 2;
-- Errors creating foreign keys.
CREATE TABLE bad (a int REFERENCES nope);
CREATE TABLE bad (a text REFERENCES p);
CREATE TABLE bad (a int REFERENCES p (name));
CREATE TABLE bad (a int REFERENCES p (nope));
CREATE TABLE bad (a int, FOREIGN KEY (nope) REFERENCES p);
CREATE TABLE bad (a int, b int, FOREIGN KEY (a, b) REFERENCES p);
CREATE TABLE bad (a int, FOREIGN KEY (a) REFERENCES p (id, id));
CREATE TABLE nopk (a int);
CREATE TABLE bad (a int REFERENCES nopk);
CREATE VIEW pv AS SELECT * FROM p;
CREATE TABLE bad (a int REFERENCES pv);
CREATE TABLE bad (a int REFERENCES p MATCH PARTIAL);
-- ALTER TABLE: add with validation, NOT VALID, drop, rename.
CREATE TABLE orders (id int PRIMARY KEY, cust int);
INSERT INTO orders VALUES (1, 2), (2, 99);
ALTER TABLE orders ADD FOREIGN KEY (cust) REFERENCES p;
ALTER TABLE orders ADD CONSTRAINT orders_cust_nv FOREIGN KEY (cust) REFERENCES p NOT VALID;
INSERT INTO orders VALUES (3, 98);
DELETE FROM orders WHERE id = 2;
ALTER TABLE orders ADD CONSTRAINT orders_cust_fk FOREIGN KEY (cust) REFERENCES p;
ALTER TABLE orders ADD CONSTRAINT orders_cust_fk FOREIGN KEY (cust) REFERENCES p;
ALTER TABLE orders RENAME CONSTRAINT orders_cust_fk TO orders_customer_fk;
DELETE FROM p WHERE id = 2;
ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;
ALTER TABLE orders DROP CONSTRAINT orders_cust_nv;
DELETE FROM p WHERE id = 2;
ALTER TABLE orders ADD COLUMN ref int REFERENCES tree;
INSERT INTO orders VALUES (4, NULL, 77);
INSERT INTO orders VALUES (4, NULL, 1);
ALTER TABLE orders DROP COLUMN ref;
-- Dropping what foreign keys depend on.
CREATE TABLE pu (id int PRIMARY KEY, u int UNIQUE);
CREATE TABLE cu (x int REFERENCES pu (u));
ALTER TABLE pu DROP CONSTRAINT pu_u_key;
ALTER TABLE pu DROP COLUMN u;
ALTER TABLE pu DROP CONSTRAINT pu_u_key CASCADE;
INSERT INTO cu VALUES (5);
DROP TABLE p;
TRUNCATE p;
TRUNCATE tree;
TRUNCATE acct, txn, nn;
DROP TABLE c;
DROP TABLE p;
DROP TABLE acct CASCADE;
INSERT INTO txn VALUES (9, 555, 555, 555);
