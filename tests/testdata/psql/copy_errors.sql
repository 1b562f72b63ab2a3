-- COPY FROM's errors from the row writer and from the data, with the
-- CONTEXT lines PostgreSQL gives them, and types through text and CSV.
CREATE TABLE p (id INT PRIMARY KEY);
INSERT INTO p VALUES (1), (2);
CREATE TABLE k (a INT PRIMARY KEY, b TEXT NOT NULL, n INT CHECK (n > 0), pid INT REFERENCES p (id));
COPY k FROM stdin;
1	x	1	1
2	\N	1	1
\.
COPY k FROM stdin;
1	x	1	1
2	y	-1	1
\.
COPY k FROM stdin;
1	x	1	1
2	y	2	2
1	z	3	1
\.
COPY k FROM stdin;
1	x	1	1
2	y	2	9
\.
COPY k (a, b) FROM stdin (FORMAT csv);
1,"a"
2,b
3,"c""d"
\.
SELECT count(*) FROM k;
INSERT INTO k VALUES (10, 'pre', 1, 1);
COPY k (a, b) FROM stdin;
11	a
10	dup
\.
SELECT * FROM k ORDER BY a;
CREATE TABLE ty (i BIGINT, f FLOAT8, nu NUMERIC(8,2), bo BOOL, d DATE, ts TIMESTAMP, by BYTEA, t TEXT, v VARCHAR(3));
COPY ty FROM stdin;
1	1.5	12.345	t	2024-01-02	2024-01-02 03:04:05	\\x4142	\x41\101\n\\	abc
-2	-0	0	false	1999-12-31	1999-12-31 23:59:59.5	\\x	\N	\N
\.
COPY ty TO stdout;
COPY ty TO stdout (FORMAT csv, HEADER);
COPY ty (v) FROM stdin;
abcd
\.
COPY ty (d) FROM stdin;
2024-02-01
soon
\.
COPY ty (bo) FROM stdin;
maybe
\.
COPY ty (i, t) FROM stdin (DELIMITER ',', NULL 'nil');
5,nil
6,\N
\.
COPY ty (i, t) FROM stdin (HEADER);
i	t
7	seven
\.
SELECT i, t, t IS NULL AS isnull FROM ty WHERE i >= 5 ORDER BY i;
COPY ty (i) FROM stdin;
1
2

\.
CREATE VIEW tv AS SELECT i, t FROM ty;
COPY tv TO stdout;
COPY tv FROM stdin;
1	x
\.
CREATE SEQUENCE sq;
COPY sq TO stdout;
COPY sq FROM stdin;
1	1	t
\.
DROP SEQUENCE sq;
DROP VIEW tv;
DROP TABLE k;
DROP TABLE p;
DROP TABLE ty;
