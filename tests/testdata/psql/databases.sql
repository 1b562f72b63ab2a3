-- CREATE, ALTER … RENAME and DROP DATABASE, and \c between databases.
CREATE DATABASE shop;
CREATE DATABASE shop;
CREATE DATABASE shop2 WITH ENCODING 'UTF8' TEMPLATE template0;
\set QUIET on
\c shop
\set QUIET off
CREATE TABLE items (id int PRIMARY KEY, name text);
INSERT INTO items VALUES (1, 'pen');
SELECT current_database(), * FROM items;
DROP DATABASE shop;
\set QUIET on
\c shop2
\set QUIET off
SELECT * FROM items;
CREATE TABLE items (id int PRIMARY KEY);
ALTER DATABASE shop RENAME TO store;
ALTER DATABASE shop2 RENAME TO store2;
ALTER DATABASE nope RENAME TO x;
ALTER DATABASE store RENAME TO shop2;
\set QUIET on
\c store
\set QUIET off
SELECT * FROM items;
DROP DATABASE store2;
BEGIN;
CREATE DATABASE inblock;
ROLLBACK;
BEGIN;
DROP DATABASE shop2;
ROLLBACK;
DROP DATABASE nope;
DROP DATABASE IF EXISTS nope;
\set QUIET on
\c postgres
\set QUIET off
DROP DATABASE store;
DROP DATABASE shop2;
