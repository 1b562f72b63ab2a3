package tests

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rangedb/rangedb/server"
)

// checkStatements exercise CHECK constraints, compared statement by
// statement with PostgreSQL 15 (errors by SQLSTATE, message, detail and
// hint): column and table constraints in CREATE TABLE with PostgreSQL's
// default names (<table>_<col>_check when the expression reads one
// column, else <table>_check, numbered past taken names), the errors of
// bad expressions (subqueries, aggregates, window functions, other
// tables, non-boolean), enforcement on INSERT, INSERT … SELECT, UPDATE
// and ON CONFLICT DO UPDATE (23514 with the failing row; NULL passes),
// and the order of NOT NULL and CHECK failures.
var checkStatements = []string{
	`CREATE TABLE ck (k INT PRIMARY KEY, a INT CHECK (a > 0), b INT, c TEXT, CHECK (a < b), CONSTRAINT named CHECK (c <> 'bad'), CHECK (b > 0), CHECK (true))`,
	`INSERT INTO ck VALUES (1, 1, 2, 'x')`,
	`INSERT INTO ck VALUES (2, 0, 2, 'x')`,
	`INSERT INTO ck VALUES (3, 5, 2, 'x')`,
	`INSERT INTO ck VALUES (4, 1, 2, 'bad')`,
	`INSERT INTO ck VALUES (5, NULL, NULL, NULL)`,
	`INSERT INTO ck VALUES (6, -1, -5, 'bad')`,
	`INSERT INTO ck (k, a) VALUES (7, 3)`,
	`INSERT INTO ck SELECT k + 10, a - 1, b, c FROM ck WHERE k = 1`,
	`UPDATE ck SET a = a - 1 WHERE k = 1`,
	`UPDATE ck SET b = 100 WHERE k = 1`,
	`UPDATE ck SET c = 'bad' WHERE k = 1 RETURNING *`,
	`INSERT INTO ck VALUES (1, 1, 2, 'y') ON CONFLICT (k) DO UPDATE SET a = -3`,
	`INSERT INTO ck VALUES (1, 1, 2, 'y') ON CONFLICT (k) DO UPDATE SET a = 50`,
	`INSERT INTO ck VALUES (1, -1, 2, 'y') ON CONFLICT (k) DO NOTHING`,
	`INSERT INTO ck VALUES (20, 1, 2, 'y') ON CONFLICT (k) DO NOTHING`,
	`SELECT * FROM ck ORDER BY k`,
	`CREATE TABLE ck2 (a INT CHECK (a > 0) CHECK (a < 10), b INT CHECK (b > a), CONSTRAINT ck2_a_check2 CHECK (a <> 5))`,
	`INSERT INTO ck2 VALUES (5, 6)`,
	`INSERT INTO ck2 VALUES (11, 12)`,
	`INSERT INTO ck2 VALUES (3, 1)`,
	`INSERT INTO ck2 VALUES (3, 4)`,
	`CREATE TABLE ck3 (a INT NOT NULL CHECK (a > 0))`,
	`INSERT INTO ck3 VALUES (NULL)`,
	`INSERT INTO ck3 VALUES (-1)`,
	`CREATE TABLE ck4 (a INT CONSTRAINT x CHECK (a > 0), b INT CONSTRAINT x CHECK (b > 0))`,
	`CREATE TABLE ck4 (a INT CHECK (a > (SELECT 1)))`,
	`CREATE TABLE ck4 (a INT CHECK (a IN (SELECT 1)))`,
	`CREATE TABLE ck4 (a INT CHECK (EXISTS (SELECT 1)))`,
	`CREATE TABLE ck4 (a INT CHECK (count(*) > 0))`,
	`CREATE TABLE ck4 (a INT CHECK (row_number() OVER () > 0))`,
	`CREATE TABLE ck4 (a INT CHECK (ck.a > 0))`,
	`CREATE TABLE ck4 (a INT CHECK (nosuch > 0))`,
	`CREATE TABLE ck4 (a INT CHECK (a + 1))`,
	`CREATE TABLE ck4 (a INT CHECK (ck4.a > 0), b TEXT CHECK (length(b) < 3), c FLOAT CHECK (c < random() + 2))`,
	`INSERT INTO ck4 VALUES (1, 'ab', 1)`,
	`INSERT INTO ck4 VALUES (1, 'abc', 1)`,
	`INSERT INTO ck4 VALUES (1, 'ab', 3)`,
	`INSERT INTO ck4 VALUES (0, 'ab', 1)`,
	`CREATE TABLE ck (a INT CHECK (a > (SELECT 1)))`,
	`CREATE TABLE ck5 (k INT, CHECK (k > 0))`,
	`INSERT INTO ck5 VALUES (1), (0)`,
	`SELECT * FROM ck5`,
	`BEGIN`,
	`INSERT INTO ck5 VALUES (2)`,
	`INSERT INTO ck5 VALUES (-2)`,
	`ROLLBACK`,
	`SELECT * FROM ck5`,
	`CREATE TABLE ck6 (a INT CHECK (a > 0), CONSTRAINT ck6_a_check CHECK (a < 5))`,
	`CREATE TABLE ck6 (CONSTRAINT ck6_a_check CHECK (a < 5), a INT CHECK (a > 0))`,
	`INSERT INTO ck6 VALUES (0)`,
	`CREATE TABLE ck7 (a INT CHECK (rowid > 0))`,
	`CREATE TABLE ck8 (k INT PRIMARY KEY, CONSTRAINT ck8_pkey CHECK (k > 0))`,
	`CREATE TABLE ck9 (k INT PRIMARY KEY, u INT UNIQUE, CONSTRAINT ck9_u_key CHECK (k > 0))`,
	`CREATE TABLE ck10 (k INT, CHECK (k > 0), CHECK (k > 0))`,
	`INSERT INTO ck10 VALUES (0)`,
	`CREATE TABLE ck11 (k INT CHECK (k::text <> '5'), s TEXT CHECK (s LIKE 'a%'), CHECK (k BETWEEN 1 AND 9 OR s IS NULL))`,
	`INSERT INTO ck11 VALUES (5, 'ab')`,
	`INSERT INTO ck11 VALUES (4, 'b')`,
	`INSERT INTO ck11 VALUES (40, 'a')`,
	`INSERT INTO ck11 VALUES (40, NULL)`,
	`CREATE TABLE ck13 (k INT PRIMARY KEY, a INT CHECK (a > 0))`,
	`CREATE VIEW ck13v AS SELECT * FROM ck13`,
	`INSERT INTO ck13v VALUES (1, 0)`,
	`INSERT INTO ck13v VALUES (1, 1)`,
	`UPDATE ck13v SET a = -1`,
	`INSERT INTO ck13 SELECT k + 1, a - 1 FROM ck13`,
	`DROP TABLE ck, ck2, ck3, ck4, ck5, ck6, ck8, ck9, ck10, ck11, ck13 CASCADE`,
}

// alterStatements exercise ALTER TABLE and ALTER INDEX … RENAME,
// compared with PostgreSQL 15 as checkStatements are: renames of tables,
// columns, indexes and constraints (CHECK expressions follow renamed
// columns), ADD COLUMN (old rows read NULL, or the DEFAULT, volatile or
// not; NOT NULL on a non-empty table is 23502 unless a DEFAULT fills
// it), ALTER COLUMN SET/DROP DEFAULT, DROP COLUMN (taking its indexes
// and CHECKs along), SET/DROP NOT NULL validated by a scan, ADD CONSTRAINT CHECK/UNIQUE
// validated against existing rows, DROP CONSTRAINT, several subcommands
// in one statement, and the errors and IF [NOT] EXISTS of each.
var alterStatements = []string{
	`CREATE TABLE al (k INT PRIMARY KEY, a INT, b TEXT)`,
	`INSERT INTO al VALUES (1, 10, 'x'), (2, 20, 'y'), (3, NULL, 'z')`,
	`ALTER TABLE al ADD COLUMN c INT`,
	`SELECT * FROM al ORDER BY k`,
	`INSERT INTO al VALUES (4, 40, 'w', 400)`,
	`SELECT k, c FROM al WHERE c IS NULL ORDER BY k`,
	`ALTER TABLE al ADD COLUMN c INT`,
	`ALTER TABLE al ADD COLUMN IF NOT EXISTS c INT`,
	`ALTER TABLE al ADD d TEXT NULL`,
	`ALTER TABLE al ADD COLUMN e INT NOT NULL`,
	`ALTER TABLE al ADD COLUMN e INT CHECK (e > 0)`,
	`ALTER TABLE al ADD COLUMN f INT CHECK (f IS NOT NULL)`,
	`ALTER TABLE al ADD COLUMN g INT UNIQUE`,
	`INSERT INTO al (k, g) VALUES (5, 1), (6, 1)`,
	`INSERT INTO al (k, e) VALUES (7, 0)`,
	`SELECT * FROM al ORDER BY k`,
	`ALTER TABLE nosuch ADD COLUMN x INT`,
	`ALTER TABLE IF EXISTS nosuch ADD COLUMN x INT`,
	`ALTER TABLE al ADD COLUMN h nosuchtype`,
	// NOT NULL.
	`ALTER TABLE al ALTER COLUMN a SET NOT NULL`,
	`DELETE FROM al WHERE a IS NULL`,
	`ALTER TABLE al ALTER COLUMN a SET NOT NULL`,
	`INSERT INTO al (k) VALUES (8)`,
	`ALTER TABLE al ALTER COLUMN a DROP NOT NULL`,
	`INSERT INTO al (k) VALUES (8)`,
	`ALTER TABLE al ALTER COLUMN k DROP NOT NULL`,
	`ALTER TABLE al ALTER COLUMN nosuch SET NOT NULL`,
	`ALTER TABLE al ALTER nosuch DROP NOT NULL`,
	// Constraints.
	`ALTER TABLE al ADD CONSTRAINT apos CHECK (a > 0)`,
	`ALTER TABLE al ADD CONSTRAINT apos CHECK (a > 15)`,
	`ALTER TABLE al ADD CONSTRAINT big CHECK (a > 15)`,
	`ALTER TABLE al ADD CHECK (a < 1000)`,
	`ALTER TABLE al ADD CHECK (a < 1000 AND k < 1000)`,
	`ALTER TABLE al ADD CHECK (a < 1000)`,
	`INSERT INTO al (k, a) VALUES (9, -1)`,
	`INSERT INTO al (k, a) VALUES (9, 1000)`,
	`ALTER TABLE al ADD CONSTRAINT apos CHECK ((SELECT 1) > 0)`,
	`ALTER TABLE al DROP CONSTRAINT apos`,
	`INSERT INTO al (k, a) VALUES (9, -1)`,
	`ALTER TABLE al DROP CONSTRAINT apos`,
	`ALTER TABLE al DROP CONSTRAINT IF EXISTS apos`,
	`ALTER TABLE al ADD CONSTRAINT bu UNIQUE (b)`,
	`INSERT INTO al (k, b) VALUES (10, 'x')`,
	`ALTER TABLE al ADD UNIQUE (b, a)`,
	`ALTER TABLE al ADD UNIQUE (a)`,
	`ALTER TABLE al ADD CONSTRAINT bu UNIQUE (a)`,
	`ALTER TABLE al ADD CONSTRAINT al_pkey UNIQUE (a)`,
	`ALTER TABLE al ADD CONSTRAINT bu2 UNIQUE (nosuch)`,
	`ALTER TABLE al ADD CONSTRAINT bu2 UNIQUE (a, a)`,
	`ALTER TABLE al DROP CONSTRAINT bu`,
	`INSERT INTO al (k, b) VALUES (10, 'x')`,
	`DROP INDEX al_b_a_key`,
	`ALTER TABLE al DROP CONSTRAINT al_b_a_key`,
	`SELECT * FROM al ORDER BY k`,
	// Renames.
	`ALTER TABLE al RENAME a TO aa`,
	`INSERT INTO al (k, aa) VALUES (11, 2000)`,
	`INSERT INTO al (k, aa) VALUES (11, 5)`,
	`ALTER TABLE al RENAME COLUMN aa TO b`,
	`ALTER TABLE al RENAME COLUMN nosuch TO z`,
	`ALTER TABLE al RENAME COLUMN aa TO a`,
	`ALTER TABLE al RENAME TO al2`,
	`SELECT k, a FROM al2 ORDER BY k`,
	`SELECT * FROM al`,
	`INSERT INTO al2 (k, a) VALUES (12, 2000)`,
	`CREATE TABLE other (x INT)`,
	`ALTER TABLE al2 RENAME TO other`,
	`ALTER TABLE nosuch RENAME TO z`,
	`ALTER TABLE IF EXISTS nosuch RENAME TO z`,
	`ALTER TABLE al2 RENAME CONSTRAINT al_a_check TO a_small`,
	`INSERT INTO al2 (k, a) VALUES (12, 2000)`,
	`ALTER TABLE al2 RENAME CONSTRAINT nosuch TO z`,
	`ALTER TABLE al2 RENAME CONSTRAINT a_small TO al_pkey`,
	`ALTER TABLE al2 RENAME CONSTRAINT al_g_key TO gk`,
	`INSERT INTO al2 (k, g) VALUES (13, 1)`,
	`CREATE INDEX al_b_idx ON al2 (b)`,
	`ALTER INDEX al_b_idx RENAME TO bidx`,
	`ALTER INDEX bidx RENAME TO other`,
	`ALTER INDEX nosuch RENAME TO z`,
	`ALTER INDEX IF EXISTS nosuch RENAME TO z`,
	`ALTER INDEX gk RENAME TO gk2`,
	`INSERT INTO al2 (k, g) VALUES (13, 1)`,
	`DROP INDEX bidx`,
	`ALTER TABLE al2 RENAME TO al`,
	// DROP COLUMN.
	`CREATE INDEX ON al (d, b)`,
	`ALTER TABLE al DROP COLUMN d`,
	`SELECT * FROM al ORDER BY k`,
	`DROP INDEX al_d_b_idx`,
	`ALTER TABLE al DROP COLUMN d`,
	`ALTER TABLE al DROP COLUMN IF EXISTS d`,
	`ALTER TABLE al DROP COLUMN a`,
	`INSERT INTO al (k, b) VALUES (14, 'q')`,
	`SELECT * FROM al ORDER BY k`,
	`ALTER TABLE al DROP COLUMN g`,
	`INSERT INTO al (k, b) VALUES (15, 'q')`,
	`ALTER TABLE al ADD COLUMN a TEXT`,
	`SELECT * FROM al ORDER BY k`,
	// Several subcommands.
	`ALTER TABLE al ADD COLUMN m INT, ADD COLUMN n INT, ADD CONSTRAINT mn CHECK (m < n)`,
	`INSERT INTO al (k, m, n) VALUES (16, 2, 1)`,
	`ALTER TABLE al DROP COLUMN m, ADD COLUMN m INT NOT NULL`,
	`ALTER TABLE al DROP COLUMN n, DROP COLUMN nosuch`,
	`SELECT * FROM al ORDER BY k`,
	`BEGIN`,
	`ALTER TABLE al ADD COLUMN z INT`,
	`INSERT INTO al (k, z) VALUES (17, 17)`,
	`SELECT k, z FROM al WHERE k = 17`,
	`ROLLBACK`,
	`SELECT * FROM al ORDER BY k`,
	`DROP TABLE al, other`,
	// Qualified references in CHECKs follow renames.
	`CREATE TABLE q (a INT CHECK (q.a > 0), b INT, CHECK (q.b > a))`,
	`ALTER TABLE q RENAME TO q2`,
	`INSERT INTO q2 VALUES (-1, 0)`,
	`ALTER TABLE q2 RENAME a TO x`,
	`INSERT INTO q2 VALUES (1, 0)`,
	`INSERT INTO q2 VALUES (1, 2)`,
	`UPDATE q2 SET x = x - 1`,
	`ALTER TABLE q2 DROP COLUMN x`,
	`INSERT INTO q2 VALUES (-5)`,
	`SELECT * FROM q2`,
	`ALTER TABLE q2 DROP COLUMN b`,
	`SELECT * FROM q2`,
	// DEFAULT in ADD COLUMN: old rows read it (a non-volatile default is
	// computed once), an explicit NULL stays NULL, a volatile default is
	// evaluated for each old row.
	`CREATE TABLE df (k INT PRIMARY KEY, a INT)`,
	`INSERT INTO df VALUES (1, 10), (2, 20)`,
	`ALTER TABLE df ADD COLUMN b INT DEFAULT 7`,
	`SELECT * FROM df ORDER BY k`,
	`ALTER TABLE df ADD COLUMN c TEXT DEFAULT 'x' || 'y' NOT NULL, ADD COLUMN d NUMERIC(5,2) DEFAULT 1.5`,
	`SELECT * FROM df ORDER BY k`,
	`INSERT INTO df VALUES (3, 30, NULL, 'z', NULL)`,
	`INSERT INTO df (k) VALUES (4)`,
	`SELECT * FROM df ORDER BY k`,
	`SELECT k FROM df WHERE b IS NULL`,
	`UPDATE df SET b = NULL WHERE k = 1`,
	`UPDATE df SET a = 11 WHERE k = 2`,
	`SELECT * FROM df ORDER BY k`,
	`ALTER TABLE df ADD COLUMN e INT DEFAULT NULL NOT NULL`,
	`ALTER TABLE df ADD COLUMN e INT DEFAULT 1/0`,
	`ALTER TABLE df ADD COLUMN e INT DEFAULT a`,
	`ALTER TABLE df ADD COLUMN e INT DEFAULT (SELECT 1)`,
	`ALTER TABLE df ADD COLUMN e INT DEFAULT 'abc'`,
	`ALTER TABLE df ADD COLUMN e INT DEFAULT true`,
	`ALTER TABLE df ADD COLUMN e INT DEFAULT 5 CHECK (e > 5)`,
	`ALTER TABLE df ADD COLUMN e INT DEFAULT 5 UNIQUE`,
	`ALTER TABLE df ADD COLUMN f INT DEFAULT 5 CHECK (f > 0)`,
	`CREATE INDEX df_f ON df (f)`,
	`SELECT k, f FROM df WHERE f = 5 ORDER BY k`,
	`ALTER TABLE df DROP COLUMN b`,
	`SELECT * FROM df ORDER BY k`,
	`CREATE SEQUENCE dfs`,
	`CREATE TABLE dv (k INT PRIMARY KEY, a INT)`,
	`INSERT INTO dv VALUES (1, 1), (2, 2), (3, 3)`,
	`ALTER TABLE dv ADD COLUMN g BIGINT DEFAULT nextval('dfs') NOT NULL UNIQUE, ADD COLUMN r FLOAT DEFAULT random() CHECK (r < 1)`,
	`SELECT k, a, g, r >= 0 FROM dv ORDER BY k`,
	`INSERT INTO dv (k) VALUES (4)`,
	`INSERT INTO dv (k, g) VALUES (5, 4)`,
	`SELECT k, g FROM dv ORDER BY k`,
	// ALTER COLUMN … SET/DROP DEFAULT.
	`CREATE TABLE sd (k INT PRIMARY KEY, a INT, i INT GENERATED BY DEFAULT AS IDENTITY)`,
	`INSERT INTO sd (k) VALUES (1)`,
	`ALTER TABLE sd ALTER COLUMN a SET DEFAULT 42`,
	`INSERT INTO sd (k) VALUES (2)`,
	`SELECT * FROM sd ORDER BY k`,
	`ALTER TABLE sd ALTER a SET DEFAULT k`,
	`ALTER TABLE sd ALTER a SET DEFAULT (SELECT 1)`,
	`ALTER TABLE sd ALTER a SET DEFAULT 'abc'`,
	`ALTER TABLE sd ALTER a SET DEFAULT count(*)`,
	`ALTER TABLE sd ALTER nosuch SET DEFAULT 1`,
	`ALTER TABLE sd ALTER i SET DEFAULT 1`,
	`ALTER TABLE sd ALTER i DROP DEFAULT`,
	`ALTER TABLE sd ALTER COLUMN a DROP DEFAULT`,
	`ALTER TABLE sd ALTER COLUMN a DROP DEFAULT`,
	`INSERT INTO sd (k) VALUES (3)`,
	`ALTER TABLE sd ALTER COLUMN a SET DEFAULT 2 + 3, ALTER COLUMN a SET NOT NULL`,
	`INSERT INTO sd (k) VALUES (4)`,
	`INSERT INTO sd VALUES (5, DEFAULT)`,
	`SELECT * FROM sd ORDER BY k`,
	`SELECT count(*) FROM q2`,
	`ALTER TABLE q2 ADD COLUMN c INT`,
	`SELECT * FROM q2`,
	`DROP TABLE q2`,
	`ALTER TABLE ck ADD COLUMN x INT`,
}

func TestChecksMatchPostgres(t *testing.T) {
	p := startComparePair(t, server.Config{})
	for _, q := range checkStatements {
		p.checkIndexStatement(t, q)
	}
}

func TestAlterTableMatchesPostgres(t *testing.T) {
	p := startComparePair(t, server.Config{})
	for _, q := range alterStatements {
		p.checkIndexStatement(t, q)
	}
	// A statement prepared before an ALTER TABLE is planned again.
	p.check(t, `CREATE TABLE pc (k INT PRIMARY KEY, b INT)`)
	p.checkExtended(t, `INSERT INTO pc VALUES ($1, $2)`, 1, 1)
	p.check(t, `ALTER TABLE pc ADD CONSTRAINT bpos CHECK (b > 0), ADD COLUMN c INT, ADD UNIQUE (c)`)
	p.checkExtended(t, `INSERT INTO pc VALUES ($1, $2)`, 2, -1)
	p.checkExtended(t, `INSERT INTO pc VALUES ($1, $2)`, 3, 3)
	p.checkExtended(t, `UPDATE pc SET b = $1 WHERE k = 1`, -5)
	p.check(t, `SELECT * FROM pc ORDER BY k`)
	p.check(t, `DROP TABLE pc`)
	// A view over the table that names its columns keeps working.
	for _, q := range []string{
		`CREATE TABLE vt (k INT PRIMARY KEY, a INT)`,
		`INSERT INTO vt VALUES (1, 2)`,
		`CREATE VIEW vv AS SELECT k, a FROM vt`,
		`ALTER TABLE vt ADD COLUMN x INT`,
		`SELECT * FROM vv`,
		`INSERT INTO vv VALUES (2, 3)`,
		`SELECT * FROM vt ORDER BY k`,
		`CREATE VIEW vs AS SELECT * FROM vt`,
	} {
		p.checkIndexStatement(t, q)
	}
	// What rangedb does not run yet is 0A000 naming it, where
	// PostgreSQL succeeds.
	for _, q := range []string{
		`CREATE TABLE un (k INT PRIMARY KEY, a INT)`,
		`CREATE VIEW unv AS SELECT k FROM un`,
		`CREATE TABLE unk (a INT)`,
		`CREATE TABLE unp (k INT PRIMARY KEY, a INT)`,
	} {
		p.check(t, q)
	}
	for _, u := range []struct{ sql, construct string }{
		{`ALTER TABLE un ADD COLUMN b SERIAL`, "serial"},
		{`ALTER TABLE un ADD COLUMN b INT GENERATED ALWAYS AS IDENTITY`, "IDENTITY"},
		{`ALTER TABLE un ALTER COLUMN a TYPE BIGINT`, "views depend on"},
		{`ALTER TABLE unp DROP COLUMN k`, "primary key"},
		{`ALTER TABLE un DROP COLUMN a`, "views depend on"},
		{`ALTER TABLE un RENAME COLUMN a TO b`, "views depend on"},
		{`ALTER TABLE un RENAME TO un2`, "views depend on"},
		{`ALTER TABLE vt ADD COLUMN y INT`, "view \"vs\" reads with *"},
		{`ALTER TABLE unk ADD COLUMN rowid INT`, "rowid"},
		{`ALTER TABLE unp DROP CONSTRAINT unp_pkey`, "primary key"},
		{`ALTER TABLE un ADD CONSTRAINT c CHECK (a > 0) NOT VALID`, "NOT VALID"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		tx, err := p.pg.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, u.sql); err != nil {
			t.Errorf("%s: PostgreSQL failed: %v", u.sql, err)
		}
		_ = tx.Rollback(ctx)
		_, err = p.rdb.Exec(ctx, u.sql)
		cancel()
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "0A000" || !strings.Contains(pe.Message, u.construct) {
			t.Errorf("%s: want 0A000 naming %q, got %v", u.sql, u.construct, err)
		}
	}
}

// TestAlterTableRacesWriters runs ALTER TABLE … ADD CONSTRAINT CHECK
// while a transaction that planned its INSERT with the older descriptor
// is open: whichever commits second fails, so no committed row breaks
// the committed constraint.
func TestAlterTableRacesWriters(t *testing.T) {
	s := startNode(t, server.Config{})
	a, b := connect(t, s.URL()), connect(t, s.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := a.Exec(ctx, `CREATE TABLE race (k INT PRIMARY KEY, v INT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, `BEGIN`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, `INSERT INTO race VALUES (1, -1)`); err != nil {
		t.Fatal(err)
	}
	alterDone := make(chan error, 1)
	go func() {
		_, err := b.Exec(ctx, `ALTER TABLE race ADD CONSTRAINT vpos CHECK (v > 0)`)
		alterDone <- err
	}()
	// Give the ALTER a moment to run (or to queue behind the writer).
	select {
	case err := <-alterDone:
		alterDone <- err
	case <-time.After(500 * time.Millisecond):
	}
	_, commitErr := a.Exec(ctx, `COMMIT`)
	alterErr := <-alterDone
	t.Logf("writer commit: %v; alter: %v", commitErr, alterErr)
	if commitErr == nil && alterErr == nil {
		t.Fatal("both the writer and the ALTER TABLE committed")
	}
	var bad int
	if err := b.QueryRow(ctx, `SELECT count(*) FROM race WHERE v <= 0`).Scan(&bad); err != nil {
		t.Fatal(err)
	}
	if alterErr == nil && bad > 0 {
		t.Fatalf("%d rows break the committed CHECK", bad)
	}
	if _, err := b.Exec(ctx, `INSERT INTO race VALUES (2, -2)`); alterErr == nil {
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23514" {
			t.Fatalf("insert after the ALTER: want 23514, got %v", err)
		}
	}
}
