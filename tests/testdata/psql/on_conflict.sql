-- ON CONFLICT on the primary key, on unique indexes and constraints.
CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE, name text, n int DEFAULT 0);
CREATE UNIQUE INDEX u_name ON u (name);
INSERT INTO u VALUES (1, 'a@x', 'ann', 0), (2, 'b@x', 'bob', 0);
INSERT INTO u VALUES (3, 'a@x', 'amy') ON CONFLICT (email) DO UPDATE SET n = u.n + 1, name = excluded.name RETURNING *;
INSERT INTO u VALUES (4, 'b@x', 'bea') ON CONFLICT (email) DO NOTHING RETURNING *;
INSERT INTO u VALUES (5, 'c@x', 'cat') ON CONFLICT (email) DO NOTHING RETURNING *;
INSERT INTO u VALUES (6, 'd@x', 'bob') ON CONFLICT (email) DO NOTHING;
INSERT INTO u VALUES (1, 'z@x', 'zed') ON CONFLICT (email) DO NOTHING;
INSERT INTO u VALUES (7, 'b@x', 'bo') ON CONFLICT ON CONSTRAINT u_email_key DO UPDATE SET n = 10;
INSERT INTO u VALUES (2, 'q@x', 'q') ON CONFLICT ON CONSTRAINT u_pkey DO UPDATE SET n = 20;
INSERT INTO u VALUES (8, 'e@x', 'ann') ON CONFLICT (name) DO UPDATE SET n = 30;
INSERT INTO u VALUES (9, 'c@x', 'x'), (10, 'x@x', 'cat'), (11, 'y@x', 'y') ON CONFLICT DO NOTHING;
INSERT INTO u VALUES (12, 'f@x', 'f'), (13, 'f@x', 'g') ON CONFLICT (email) DO UPDATE SET n = 1;
INSERT INTO u VALUES (14, NULL, NULL), (15, NULL, NULL) ON CONFLICT (email) DO NOTHING;
INSERT INTO u VALUES (16, 'a@x', 'w') ON CONFLICT (email) DO UPDATE SET n = 99 WHERE u.n > 100;
SELECT * FROM u ORDER BY id;
INSERT INTO u VALUES (17, 'a@x') ON CONFLICT ON CONSTRAINT nope DO NOTHING;
INSERT INTO u VALUES (17, 'a@x') ON CONFLICT ON CONSTRAINT u_name DO NOTHING;
INSERT INTO u VALUES (17, 'a@x') ON CONFLICT (n) DO NOTHING;
INSERT INTO u VALUES (17, 'a@x') ON CONFLICT (email, name) DO NOTHING;
ALTER TABLE u ADD CONSTRAINT u_n_check CHECK (n < 1000);
INSERT INTO u VALUES (17, 'a@x') ON CONFLICT ON CONSTRAINT u_n_check DO NOTHING;
-- Multi-column unique constraint.
CREATE TABLE m (a int, b int, c int, UNIQUE (a, b));
INSERT INTO m VALUES (1, 1, 0);
INSERT INTO m VALUES (1, 1, 5) ON CONFLICT (b, a) DO UPDATE SET c = m.c + excluded.c;
INSERT INTO m VALUES (1, 2, 5) ON CONFLICT (a, b) DO UPDATE SET c = m.c + excluded.c;
SELECT * FROM m ORDER BY a, b;
