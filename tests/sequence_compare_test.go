package tests

import (
	"context"
	"testing"
	"time"

	"github.com/rangedb/rangedb/server"
)

// sequenceStatements exercise column DEFAULTs, sequences, serial types and
// identity columns, compared statement by statement with PostgreSQL 15
// (errors by SQLSTATE, message, detail and hint): constant, expression
// and volatile defaults filling omitted columns, DEFAULT in VALUES,
// DEFAULT VALUES and INSERT … SELECT, RETURNING of the filled values,
// defaults refused at CREATE TABLE (wrong type, column references,
// subqueries); CREATE/ALTER/DROP SEQUENCE with every option and their
// errors; nextval, currval, setval and lastval with theirs; a nextval in a
// rolled-back transaction that is not handed out again; SERIAL types and
// their owned sequences dropped with the table; GENERATED ALWAYS and BY
// DEFAULT identity columns with OVERRIDING.
var sequenceStatements = []string{
	// Defaults.
	`CREATE TABLE dt (k INT PRIMARY KEY, a INT DEFAULT 7, b TEXT DEFAULT 'none', c INT DEFAULT 2 * 3 + 1, d NUMERIC(6,2) DEFAULT 1.5, e BOOLEAN DEFAULT true, f TEXT)`,
	`INSERT INTO dt (k) VALUES (1)`,
	`INSERT INTO dt VALUES (2)`,
	`INSERT INTO dt VALUES (3, DEFAULT, 'x', DEFAULT, DEFAULT, false, DEFAULT)`,
	`INSERT INTO dt (k, b) VALUES (4, DEFAULT), (5, 'y') RETURNING *`,
	`INSERT INTO dt (k, f) SELECT k + 10, 'sel' FROM dt WHERE k < 3 RETURNING k, a, b, f`,
	`INSERT INTO dt (a) VALUES (DEFAULT)`,
	`SELECT * FROM dt ORDER BY k`,
	`CREATE TABLE dv (k INT DEFAULT 1, v TEXT DEFAULT 'v')`,
	`INSERT INTO dv DEFAULT VALUES`,
	`INSERT INTO dv DEFAULT VALUES RETURNING k, v`,
	`SELECT * FROM dv`,
	`CREATE TABLE nd (a INT, b TEXT)`,
	`INSERT INTO nd DEFAULT VALUES RETURNING *`,
	`INSERT INTO nd VALUES (DEFAULT, DEFAULT), (1, DEFAULT) RETURNING *`,
	`SELECT * FROM nd`,
	`CREATE TABLE nn (k INT PRIMARY KEY, a INT NOT NULL, b INT NOT NULL DEFAULT 3)`,
	`INSERT INTO nn (k) VALUES (1)`,
	`INSERT INTO nn (k, a) VALUES (1, 1) RETURNING *`,
	`INSERT INTO nn (k, a, b) VALUES (2, 2, DEFAULT) RETURNING *`,
	`INSERT INTO nn (k, a) VALUES (1, 5) ON CONFLICT (k) DO UPDATE SET a = excluded.a + excluded.b RETURNING *`,
	`INSERT INTO nn (k, a) VALUES (3, 5) ON CONFLICT (k) DO NOTHING RETURNING *`,
	`INSERT INTO nn (k, a) VALUES (DEFAULT, 5)`,
	`DROP TABLE nd, nn`,
	`CREATE TABLE dtime (k INT PRIMARY KEY, at TIMESTAMPTZ DEFAULT now(), at2 TIMESTAMPTZ DEFAULT current_timestamp)`,
	`INSERT INTO dtime (k) VALUES (1)`,
	`SELECT k, at IS NOT NULL, at = at2, at <= now() FROM dtime`,
	`CREATE TABLE bad1 (a INT DEFAULT 'x'::text)`,
	`CREATE TABLE bad2 (a INT DEFAULT 'abc')`,
	`CREATE TABLE bad3 (a INT, b INT DEFAULT a + 1)`,
	`CREATE TABLE bad4 (a INT DEFAULT (SELECT 1))`,
	`CREATE TABLE bad5 (a INT DEFAULT sum(1))`,
	`CREATE TABLE bad6 (a BOOLEAN DEFAULT 1)`,
	`CREATE TABLE dcast (a BIGINT DEFAULT 5::int2, b TEXT DEFAULT 3, c VARCHAR(3) DEFAULT 'abcdef')`,
	`INSERT INTO dcast (a) VALUES (1)`,
	`INSERT INTO dcast (a, b) VALUES (1, 'q') RETURNING *`,
	// Sequences.
	`CREATE SEQUENCE s1`,
	`SELECT last_value, is_called FROM s1`,
	`SELECT nextval('s1'), nextval('s1')`,
	`SELECT last_value, is_called FROM s1`,
	`SELECT currval('s1'), lastval()`,
	`CREATE SEQUENCE s1`,
	`CREATE SEQUENCE IF NOT EXISTS s1`,
	`CREATE TABLE s1 (x INT)`,
	`CREATE SEQUENCE dt`,
	`CREATE SEQUENCE s2 AS smallint INCREMENT BY 5 MINVALUE 10 MAXVALUE 30 START WITH 12 CACHE 3 NO CYCLE`,
	`SELECT nextval('s2'), nextval('s2'), nextval('s2'), nextval('s2')`,
	`SELECT nextval('s2')`,
	`SELECT nextval('s2')`,
	`SELECT currval('s2')`,
	`ALTER SEQUENCE s2 MAXVALUE 40`,
	`SELECT nextval('s2')`,
	`ALTER SEQUENCE s2 RESTART`,
	`SELECT nextval('s2')`,
	`ALTER SEQUENCE s2 RESTART WITH 20`,
	`SELECT nextval('s2')`,
	`ALTER SEQUENCE s2 RESTART WITH 5`,
	`ALTER SEQUENCE s2 INCREMENT 0`,
	`ALTER SEQUENCE nosuch RESTART`,
	`ALTER SEQUENCE IF EXISTS nosuch RESTART`,
	`CREATE SEQUENCE s3 INCREMENT -1`,
	`SELECT nextval('s3'), nextval('s3')`,
	`CREATE SEQUENCE s4 INCREMENT BY -2 MINVALUE -5 MAXVALUE 0 CYCLE`,
	`SELECT nextval('s4'), nextval('s4'), nextval('s4'), nextval('s4'), nextval('s4')`,
	`SELECT nextval('s4')`,
	`CREATE SEQUENCE s5 MINVALUE 1 MAXVALUE 3 CYCLE`,
	`SELECT nextval('s5'), nextval('s5'), nextval('s5'), nextval('s5'), nextval('s5')`,
	`CREATE SEQUENCE s6 MAXVALUE 2`,
	`SELECT nextval('s6'), nextval('s6')`,
	`SELECT nextval('s6')`,
	`CREATE SEQUENCE s7 INCREMENT -1 MINVALUE -2 MAXVALUE -1`,
	`SELECT nextval('s7'), nextval('s7')`,
	`SELECT nextval('s7')`,
	`CREATE SEQUENCE s8 START 100 NO MINVALUE NO MAXVALUE`,
	`SELECT nextval('s8')`,
	`SELECT setval('s8', 50)`,
	`SELECT nextval('s8')`,
	`SELECT setval('s8', 50, false)`,
	`SELECT currval('s8')`,
	`SELECT nextval('s8')`,
	`SELECT last_value, is_called FROM s8`,
	`SELECT setval('s8', 70, false)`,
	`SELECT last_value, is_called FROM s8`,
	`SELECT nextval('s8')`,
	`SELECT last_value, is_called FROM s8`,
	`SELECT s.last_value + 1, s.is_called FROM s8 AS s`,
	`SELECT setval('s8', 0)`,
	`SELECT setval('s2', 100)`,
	`SELECT setval('nosuch', 1)`,
	`SELECT currval('s3')`,
	`CREATE SEQUENCE s9`,
	`SELECT currval('s9')`,
	`SELECT nextval('nosuch')`,
	`SELECT nextval('dt')`,
	`SELECT nextval('public.s8'), nextval('S8'), currval('"s8"')`,
	`SELECT nextval(NULL)`,
	`CREATE SEQUENCE e1 INCREMENT 0`,
	`CREATE SEQUENCE e2 MINVALUE 10 MAXVALUE 5`,
	`CREATE SEQUENCE e3 START 0`,
	`CREATE SEQUENCE e4 MAXVALUE 5 START 6`,
	`CREATE SEQUENCE e5 AS smallint MAXVALUE 100000`,
	`CREATE SEQUENCE e6 AS smallint MINVALUE -100000`,
	`CREATE SEQUENCE e7 CACHE 0`,
	`CREATE SEQUENCE e8 AS text`,
	`CREATE SEQUENCE e9 INCREMENT 1 INCREMENT 2`,
	`CREATE SEQUENCE e10 AS integer START 2147483647`,
	`SELECT nextval('e10')`,
	`SELECT nextval('e10')`,
	`CREATE SEQUENCE own1 OWNED BY dt.a`,
	`CREATE SEQUENCE own2 OWNED BY nosuch.a`,
	`CREATE SEQUENCE own3 OWNED BY dt.nosuch`,
	`CREATE SEQUENCE own4 OWNED BY dt`,
	`ALTER SEQUENCE own1 OWNED BY NONE`,
	`ALTER SEQUENCE own1 OWNED BY dv.k`,
	// Non-transactional: a rolled-back nextval is not handed out again.
	`CREATE SEQUENCE rb`,
	`BEGIN`,
	`SELECT nextval('rb')`,
	`SELECT nextval('rb')`,
	`ROLLBACK`,
	`SELECT nextval('rb')`,
	`SELECT currval('rb')`,
	// Defaults using sequences.
	`CREATE TABLE ds (k INT PRIMARY KEY DEFAULT nextval('rb'), v TEXT)`,
	`INSERT INTO ds (v) VALUES ('a'), ('b') RETURNING *`,
	`INSERT INTO ds VALUES (DEFAULT, 'c') RETURNING k`,
	`SELECT * FROM ds ORDER BY k`,
	`DROP SEQUENCE s1, s9`,
	`DROP SEQUENCE s1`,
	`DROP SEQUENCE IF EXISTS s1, s3`,
	`DROP SEQUENCE dt`,
	`DROP TABLE s2`,
	`SELECT nextval('s1')`,
	`CREATE TABLE s1 (x INT)`,
	`DROP TABLE s1`,
	// SERIAL.
	`CREATE TABLE sr (id SERIAL PRIMARY KEY, b BIGSERIAL, c SMALLSERIAL, v TEXT)`,
	`INSERT INTO sr (v) VALUES ('a'), ('b') RETURNING *`,
	`INSERT INTO sr VALUES (DEFAULT, DEFAULT, DEFAULT, 'c') RETURNING id, b, c`,
	`INSERT INTO sr (id, v) VALUES (10, 'd') RETURNING *`,
	`INSERT INTO sr (v) VALUES ('e') RETURNING id`,
	`INSERT INTO sr (id, b, c) VALUES (NULL, 1, 1)`,
	`SELECT * FROM sr ORDER BY id`,
	`SELECT currval('sr_id_seq'), nextval('sr_b_seq'), currval('sr_c_seq')`,
	`CREATE SEQUENCE sr2_id_seq`,
	`CREATE TABLE sr2 (id SERIAL)`,
	`INSERT INTO sr2 DEFAULT VALUES RETURNING id`,
	`SELECT nextval('sr2_id_seq1')`,
	`DROP SEQUENCE sr_id_seq`,
	`DROP TABLE sr, sr2`,
	`SELECT nextval('sr_id_seq')`,
	`SELECT nextval('sr2_id_seq')`,
	`CREATE TABLE sr3 (id SERIAL, v TEXT)`,
	`DROP SEQUENCE sr3_id_seq CASCADE`,
	`INSERT INTO sr3 (v) VALUES ('x')`,
	`SELECT * FROM sr3`,
	`CREATE TABLE sr4 (id TEXT GENERATED ALWAYS AS IDENTITY)`,
	`CREATE TABLE "Sr5" ("Id" SERIAL, v TEXT)`,
	`INSERT INTO "Sr5" (v) VALUES ('a'), ('b') RETURNING *`,
	`SELECT currval('"Sr5_Id_seq"')`,
	`DROP TABLE "Sr5"`,
	// Identity.
	`CREATE TABLE ia (id INT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT)`,
	`INSERT INTO ia (v) VALUES ('a'), ('b') RETURNING *`,
	`INSERT INTO ia (id, v) VALUES (100, 'c')`,
	`INSERT INTO ia VALUES (100, 'c')`,
	`INSERT INTO ia (id, v) VALUES (DEFAULT, 'd') RETURNING id`,
	`INSERT INTO ia (id, v) OVERRIDING SYSTEM VALUE VALUES (100, 'e') RETURNING *`,
	`INSERT INTO ia (id, v) OVERRIDING USER VALUE VALUES (200, 'f') RETURNING *`,
	`INSERT INTO ia (id, v) SELECT 300, 'g'`,
	`INSERT INTO ia (id, v) OVERRIDING SYSTEM VALUE SELECT 300, 'g' RETURNING id`,
	`SELECT * FROM ia ORDER BY id`,
	`UPDATE ia SET id = 5 WHERE id = 1`,
	`UPDATE ia SET v = 'z' WHERE id = 1 RETURNING *`,
	`INSERT INTO ia (v) VALUES ('h') ON CONFLICT (id) DO UPDATE SET id = 7`,
	`TRUNCATE ia RESTART IDENTITY`,
	`INSERT INTO ia (v) VALUES ('after truncate') RETURNING *`,
	`TRUNCATE ia CONTINUE IDENTITY`,
	`INSERT INTO ia (v) VALUES ('after truncate 2') RETURNING *`,
	`CREATE TABLE ib (id BIGINT GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 10), v TEXT)`,
	`INSERT INTO ib (v) VALUES ('a') RETURNING *`,
	`INSERT INTO ib (id, v) VALUES (5, 'b') RETURNING *`,
	`INSERT INTO ib (id, v) OVERRIDING USER VALUE VALUES (5, 'c') RETURNING *`,
	`INSERT INTO ib (v) VALUES ('d') RETURNING *`,
	`SELECT nextval('ib_id_seq')`,
	`CREATE TABLE ic (id SMALLINT GENERATED ALWAYS AS IDENTITY (MAXVALUE 2), v TEXT)`,
	`INSERT INTO ic (v) VALUES ('a'), ('b')`,
	`INSERT INTO ic (v) VALUES ('c')`,
	`CREATE TABLE id1 (id INT GENERATED ALWAYS AS IDENTITY DEFAULT 1)`,
	`CREATE TABLE id2 (id SERIAL DEFAULT 1)`,
	`CREATE TABLE id3 (id INT DEFAULT 1 DEFAULT 2)`,
	`DROP TABLE ia, ib, ic`,
	`SELECT nextval('ia_id_seq')`,
	`DROP TABLE dt, dv, dtime, dcast, ds, sr3`,
	`DROP SEQUENCE s2, s4, s5, s6, s7, s8, e10, own1, rb`,
}

func TestSequencesMatchPostgres(t *testing.T) {
	p := startComparePair(t, server.Config{})
	for _, q := range sequenceStatements {
		p.checkIndexStatement(t, q) // query_test.go: errors with message, detail, hint
	}
	// Prepared statements with parameters.
	p.check(t, `CREATE TABLE ex (k INT PRIMARY KEY, id SERIAL, v TEXT DEFAULT 'd')`)
	p.checkExtended(t, `INSERT INTO ex (k) VALUES ($1) RETURNING *`, 1)
	p.checkExtended(t, `INSERT INTO ex VALUES ($1, DEFAULT, $2) RETURNING *`, 2, "x")
	p.checkExtended(t, `SELECT setval('ex_id_seq', $1)`, 10)
	p.checkExtended(t, `SELECT setval('ex_id_seq', $1, $2)`, 20, false)
	p.checkExtended(t, `INSERT INTO ex (k) VALUES ($1) RETURNING *`, 3)
	// What is not implemented says so (0A000), never a wrong answer.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p.check(t, `CREATE SEQUENCE sq`)
	for _, q := range []string{`INSERT INTO sq VALUES (1, 0, true)`, `UPDATE sq SET last_value = 1`, `DELETE FROM sq`} {
		if o := runOutcome(ctx, p.rdb, q); o.state != "0A000" && o.state != "42809" {
			t.Errorf("%s: got %v, want 0A000", q, o)
		}
	}
}
