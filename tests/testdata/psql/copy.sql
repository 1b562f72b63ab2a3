-- COPY FROM STDIN and TO STDOUT as psql runs them: inline data in text
-- and CSV with each option, defaults for omitted columns, errors with
-- their CONTEXT line numbers (nothing of a failed COPY stays), and \copy.
CREATE TABLE c (a INT PRIMARY KEY, b TEXT, d INT DEFAULT 7);
COPY c (a, b) FROM stdin;
1	one
2	\N
3	tab\there
4	back\\slash
\.
SELECT * FROM c ORDER BY a;
COPY c TO stdout;
COPY c (b, a) TO STDOUT WITH (FORMAT csv, HEADER);
COPY c TO STDOUT (FORMAT csv, FORCE_QUOTE *, NULL 'NULL');
COPY c TO STDOUT (FORMAT csv, FORCE_QUOTE (b), DELIMITER ';', QUOTE '''', ESCAPE '\');
COPY c TO STDOUT (DELIMITER '|', NULL '<null>', HEADER true);
COPY (SELECT a, b || '"x,y"' AS bx FROM c WHERE a < 3 ORDER BY a) TO STDOUT WITH CSV HEADER;
COPY c FROM stdin WITH CSV HEADER DELIMITER ',';
a,b,d
5,"quoted, comma",50
6,,60
7,"",70
8,"multi
line",80
\.
SELECT a, b, b IS NULL AS isnull, d FROM c WHERE a >= 5 ORDER BY a;
COPY c FROM stdin WITH (FORMAT csv, HEADER match);
a,b,d
9,nine,90
\.
COPY c FROM stdin WITH (FORMAT csv, HEADER match);
a,x,d
10,ten,100
\.
COPY c (a, b) FROM stdin (FORMAT csv, FORCE_NOT_NULL (b));
11,
\.
COPY c (a, b) FROM stdin (FORMAT csv, FORCE_NULL (b), NULL 'none');
12,"none"
13,none
14,"x"
\.
SELECT a, b, b IS NULL AS isnull FROM c WHERE a > 10 ORDER BY a;
COPY c (a, b) FROM stdin (FORMAT csv, QUOTE '''', ESCAPE '\', ENCODING 'UTF8');
15,'it\'s'
\.
SELECT b FROM c WHERE a = 15;
-- errors: nothing of the failing COPY stays
COPY c (a, b) FROM stdin;
20	ok
21	ok
x	bad
\.
COPY c (a, b) FROM stdin;
22	ok
23
\.
COPY c (a, b) FROM stdin;
24	ok	extra
\.
COPY c FROM stdin (FORMAT csv);
25,"unterminated
\.
SELECT count(*) FROM c WHERE a >= 20;
COPY c FROM stdin (FORMAT xml);
COPY c FROM stdin (DELIMITER ',', DELIMITER ';');
COPY c FROM stdin (FORMAT csv, DELIMITER ',,');
COPY c FROM stdin (QUOTE '"');
COPY c FROM stdin (FORMAT csv, FORCE_QUOTE (a));
COPY c FROM stdin (FORMAT csv, FORCE_NOT_NULL (nosuch));
COPY c FROM stdin (bogus true);
COPY c TO stdout (HEADER match);
COPY nosuch FROM stdin;
COPY c (nosuch) FROM stdin;
COPY c (a, a) FROM stdin;
BEGIN;
COPY c (a, b) FROM stdin;
30	in block
\.
SELECT count(*) FROM c WHERE a = 30;
ROLLBACK;
SELECT count(*) FROM c WHERE a = 30;
\copy c (a, b) from 'copy_data.tsv'
SELECT * FROM c WHERE a < 3 ORDER BY a;
\copy (SELECT a, b FROM c WHERE a < 5 ORDER BY a) to stdout with csv
\copy c (a, b) to stdout
-- a table without a primary key, identity and serial columns
CREATE TABLE np (x INT, y TEXT);
COPY np FROM stdin;
1	a
1	a
\.
SELECT * FROM np;
COPY np TO stdout;
CREATE TABLE idt (id INT GENERATED ALWAYS AS IDENTITY, s SERIAL, v TEXT NOT NULL DEFAULT 'dflt');
COPY idt (v) FROM stdin;
first
second
\.
COPY idt (id, v) FROM stdin;
100	explicit
\.
COPY idt (id) FROM stdin (FORMAT csv);
101
\.
SELECT * FROM idt ORDER BY id;
DROP TABLE np;
DROP TABLE idt;
DROP TABLE c;
