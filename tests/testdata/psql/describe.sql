-- env: PGUSER=root
-- psql's describe meta-commands over pg_catalog: \d, \d NAME (tables, views,
-- sequences, indexes), \dt, \di, \dv, \ds, \dn.
-- Objects are owned by root, rangedb's one role (a superuser PostgreSQL gets too).
CREATE TABLE parent (k serial PRIMARY KEY, name text NOT NULL DEFAULT 'x', code int UNIQUE);
CREATE TABLE child (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, p int REFERENCES parent (k) ON DELETE CASCADE, qty int CHECK (qty > 0), note varchar(20), price numeric(10,2), at timestamp);
CREATE INDEX child_p ON child (p);
CREATE UNIQUE INDEX child_note_live ON child (note) WHERE qty > 1;
CREATE INDEX "Child Desc" ON child (qty DESC, note);
CREATE TABLE plain (a int, b bigint NOT NULL, c boolean DEFAULT true);
CREATE TABLE "Mixed Case" (x int PRIMARY KEY);
CREATE VIEW pv AS SELECT k, name FROM parent;
CREATE SEQUENCE s1;
\dt
\di
\dv
\ds
\dn
\d parent
\d child
\d plain
\d "Mixed Case"
\d pv
\d s1
\d parent_k_seq
\d child_id_seq
\d parent_pkey
\d child_note_live
\d "Child Desc"
\d
\dt pl*
\di child*
\dt nothing
DROP VIEW pv;
DROP TABLE child;
\dt
\di
