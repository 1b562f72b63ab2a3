package tests

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/rangedb/rangedb/server"
)

// This file compares the uuid type with PostgreSQL 15 in the same run, as
// TestFunctionsMatchPostgres does: text input in every form uuid_in takes
// and its 22P02 errors, output, comparisons and ORDER BY, casts and the
// ones that do not exist, the operators and aggregates uuid lacks, a table
// keyed and indexed by uuid (point lookups, range scans in both
// directions, joins), DEFAULT gen_random_uuid() (checked for shape and
// uniqueness, the values being random), and the binary wire format:
// RowDescription's OID and length, 16-byte results, binary parameters.

var uuidSetup = []string{
	`CREATE TABLE ut (id UUID PRIMARY KEY, other UUID, v INT, s TEXT)`,
	`CREATE INDEX ut_other ON ut (other)`,
	`CREATE INDEX ut_other_desc ON ut (other DESC, v)`,
	`INSERT INTO ut VALUES
		('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000001', 1, 'a'),
		('{B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12}', '7fffffff-ffff-ffff-ffff-ffffffffffff', 2, 'b'),
		('00000000000000000000000000000000', '80000000-0000-0000-0000-000000000000', 3, NULL),
		('ffff-ffff-ffff-ffff-ffff-ffff-ffff-ffff', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 4, 'd'),
		('7fffffff-ffff-ffff-ffff-ffffffffffff', NULL, 5, 'e'),
		('80000000-0000-0000-0000-000000000000', '7fffffff-ffff-ffff-ffff-ffffffffffff', 6, 'f'),
		('12345678-1234-5678-1234-567812345678', '00000000-0000-0000-0000-000000000001', 7, 'g')`,
	`CREATE TABLE uref (rid INT PRIMARY KEY, u UUID)`,
	`INSERT INTO uref VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), (2, '80000000-0000-0000-0000-000000000000'),
		(3, '99999999-9999-9999-9999-999999999999'), (4, NULL)`,
}

var uuidQueries = []string{
	// Literals in every form uuid_in accepts; output is lower-case 8-4-4-4-12.
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid`,
	`SELECT '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'::uuid, 'a0eebc999c0b4ef8bb6d6bb9bd380a11'::uuid`,
	`SELECT 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11'::uuid, '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}'::uuid`,
	`SELECT uuid 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', CAST('{A0EEBC999C0B4EF8BB6D6BB9BD380A11}' AS uuid)`,
	`SELECT '00000000-0000-0000-0000-000000000000'::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::pg_catalog.uuid`,
	`SELECT NULL::uuid, pg_typeof(NULL::uuid)`,
	// Bad input: 22P02.
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-'::uuid`,
	`SELECT '-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT 'a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT 'a0e-ebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'::uuid`,
	`SELECT '{{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}}'::uuid`,
	`SELECT ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 '::uuid`,
	`SELECT ''::uuid`,
	`SELECT '{}'::uuid`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1'::uuid`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111'::uuid`,
	`SELECT 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT 'nope'::text::uuid`,
	`INSERT INTO ut (id) VALUES ('not-a-uuid')`,
	// pg_typeof.
	`SELECT pg_typeof('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid), pg_typeof(gen_random_uuid()), pg_typeof(id), pg_typeof(other) FROM ut WHERE v = 1`,
	// Comparisons are bytewise (unsigned), so 8… sorts after 7….
	`SELECT '7fffffff-ffff-ffff-ffff-ffffffffffff'::uuid < '80000000-0000-0000-0000-000000000000'::uuid,
		'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid,
		'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid <> '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}'::uuid`,
	`SELECT 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid >= '00000000-0000-0000-0000-000000000000'::uuid,
		'00000000-0000-0000-0000-000000000001'::uuid <= '00000000-0000-0000-0000-000000000000'::uuid,
		'00000000-0000-0000-0000-000000000001'::uuid > NULL::uuid`,
	`SELECT u FROM (VALUES ('ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid), ('80000000-0000-0000-0000-000000000000'),
		('7fffffff-ffff-ffff-ffff-ffffffffffff'), (NULL), ('00000000-0000-0000-0000-000000000000')) AS x(u) ORDER BY u`,
	`SELECT u FROM (VALUES ('ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid), ('80000000-0000-0000-0000-000000000000'),
		('7fffffff-ffff-ffff-ffff-ffffffffffff'), (NULL)) AS x(u) ORDER BY u DESC NULLS LAST`,
	`SELECT greatest('7fffffff-ffff-ffff-ffff-ffffffffffff'::uuid, '80000000-0000-0000-0000-000000000000'),
		least('7fffffff-ffff-ffff-ffff-ffffffffffff'::uuid, '80000000-0000-0000-0000-000000000000')`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid IS DISTINCT FROM NULL, NULLIF('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')`,
	`SELECT CASE WHEN true THEN 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid ELSE NULL END, COALESCE(NULL, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid)`,
	`SELECT COALESCE('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 1)`,
	`SELECT COALESCE('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 'x')`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::text`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 1`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid = 'zz'`,
	// Casts: only the I/O conversions to and from strings exist.
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::text, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid::varchar(5),
		'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::char(3), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::uuid`,
	`SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::text::uuid, '{a0eebc999c0b4ef8bb6d6bb9bd380a11}'::varchar::uuid,
		'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::char(36)::uuid, CAST(NULL::text AS uuid)`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid || 'x', 'x' || 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid,
		concat('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, 1), format('%s', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid)`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::bytea`,
	`SELECT '\x00'::bytea::uuid`,
	`SELECT 1::uuid`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::int`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::bool`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid::numeric`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid(3)`,
	`CREATE TABLE ubad (u uuid(3))`,
	// What uuid lacks in PostgreSQL 15: 42883.
	`SELECT min(id) FROM ut`,
	`SELECT max(other) FROM ut`,
	`SELECT sum(id) FROM ut`,
	`SELECT avg(id) FROM ut`,
	`SELECT max(id) OVER () FROM ut`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid + 1`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid - 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT -'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
	`SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid LIKE 'a%'`,
	`SELECT length('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid)`,
	`SELECT upper('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid)`,
	`SELECT gen_random_uuid(1)`,
	`SELECT bool_and('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid)`,
	// The keyed and indexed table: point lookups and range scans.
	`SELECT * FROM ut ORDER BY id`,
	`SELECT * FROM ut ORDER BY id DESC`,
	`SELECT v FROM ut WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'`,
	`SELECT v FROM ut WHERE id = '{A0EEBC999C0B4EF8BB6D6BB9BD380A11}'`,
	`SELECT v FROM ut WHERE id = 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid`,
	`SELECT v FROM ut WHERE id = '11111111-1111-1111-1111-111111111111'`,
	`SELECT v FROM ut WHERE id IN ('00000000-0000-0000-0000-000000000000', '80000000-0000-0000-0000-000000000000', 'dddddddd-dddd-dddd-dddd-dddddddddddd') ORDER BY v`,
	`SELECT id, v FROM ut WHERE id > '7fffffff-ffff-ffff-ffff-ffffffffffff' ORDER BY id`,
	`SELECT id, v FROM ut WHERE id >= '7fffffff-ffff-ffff-ffff-ffffffffffff' AND id < 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12' ORDER BY id DESC`,
	`SELECT id FROM ut WHERE id BETWEEN '12345678-1234-5678-1234-567812345678' AND 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' ORDER BY id`,
	`SELECT id FROM ut WHERE id <= '12345678-1234-5678-1234-567812345678' ORDER BY 1`,
	`SELECT v FROM ut WHERE other = '00000000-0000-0000-0000-000000000001' ORDER BY v`,
	`SELECT v FROM ut WHERE other = '7fffffff-ffff-ffff-ffff-ffffffffffff' AND v > 2`,
	`SELECT other, v FROM ut WHERE other > '00000000-0000-0000-0000-000000000001' ORDER BY other, v`,
	`SELECT other, v FROM ut WHERE other < 'ffffffff-ffff-ffff-ffff-ffffffffffff' ORDER BY other DESC, v`,
	`SELECT other, v FROM ut ORDER BY other DESC NULLS LAST, v`,
	`SELECT v FROM ut WHERE other IS NULL`,
	`SELECT other, count(*) FROM ut GROUP BY other ORDER BY other`,
	`SELECT count(DISTINCT other), count(other), count(*) FROM ut`,
	`SELECT DISTINCT other FROM ut ORDER BY other NULLS FIRST`,
	`SELECT ut.v, uref.rid FROM ut JOIN uref ON uref.u = ut.id ORDER BY ut.v`,
	`SELECT uref.rid, ut.v FROM uref LEFT JOIN ut ON ut.id = uref.u ORDER BY uref.rid`,
	`SELECT rid FROM uref WHERE u IN (SELECT id FROM ut WHERE v > 3) ORDER BY rid`,
	`SELECT rid FROM uref WHERE EXISTS (SELECT 1 FROM ut WHERE ut.other = uref.u) ORDER BY rid`,
	`SELECT id FROM ut UNION SELECT u FROM uref ORDER BY 1`,
	`SELECT row_number() OVER (ORDER BY other DESC, id), id FROM ut ORDER BY 1`,
	`SELECT lag(id) OVER (ORDER BY id), id FROM ut ORDER BY id`,
	// Writes: duplicate keys, updates and deletes by uuid, assignment casts.
	`INSERT INTO ut VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', NULL, 99, 'dup')`,
	`INSERT INTO ut VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::text, NULL, 99, 'x')`,
	`INSERT INTO ut (id, v) VALUES (NULL, 1)`,
	`INSERT INTO ut (id, s) VALUES ('{00000000-0000-0000-0000-0000000000aa}', 'inserted') RETURNING id, s`,
	`UPDATE ut SET other = id WHERE id = '00000000-0000-0000-0000-0000000000aa' RETURNING other`,
	`UPDATE ut SET id = 'cccccccc-cccc-cccc-cccc-cccccccccccc' WHERE s = 'inserted' RETURNING id, other`,
	`SELECT id, other FROM ut WHERE id > 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12' ORDER BY id`,
	`UPDATE ut SET s = id::text WHERE v = 2 RETURNING s`,
	`UPDATE ut SET s = id WHERE v = 3 RETURNING s`,
	`UPDATE ut SET v = 1 WHERE other = 'nonsense'`,
	`DELETE FROM ut WHERE id = 'CCCCCCCC-CCCC-CCCC-CCCC-CCCCCCCCCCCC' RETURNING v, s`,
	`SELECT count(*) FROM ut`,
	// Column defaults.
	`CREATE TABLE ud (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), n INT, fixed UUID DEFAULT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')`,
	`INSERT INTO ud (n) SELECT g FROM generate_series(1, 60) AS g`,
	`INSERT INTO ud (n) VALUES (61), (62)`,
	`SELECT count(*), count(DISTINCT id), count(DISTINCT fixed), min(n), max(n) FROM ud`,
	`SELECT count(*) FROM ud WHERE length(id::text) = 36 AND substr(id::text, 15, 1) = '4'
		AND substr(id::text, 20, 1) IN ('8', '9', 'a', 'b') AND id::text = lower(id::text) AND id = id::text::uuid`,
	`SELECT fixed FROM ud WHERE n = 1`,
	`ALTER TABLE ud ADD COLUMN later UUID DEFAULT gen_random_uuid()`,
	`SELECT count(DISTINCT later), count(later) FROM ud`,
	`ALTER TABLE ud ADD COLUMN const UUID DEFAULT '{FFFFFFFF-0000-0000-0000-000000000000}'`,
	`SELECT count(*), count(DISTINCT const), min(const::text) FROM ud`,
	`INSERT INTO ud (n, const) VALUES (63, NULL) RETURNING n, const, fixed`,
	`SELECT count(*) FROM ud WHERE const IS NULL`,
	`SELECT gen_random_uuid() = gen_random_uuid(), gen_random_uuid() IS NULL`,
	// A composite key with a uuid, a unique index, ON CONFLICT on a uuid key.
	`CREATE TABLE uc (tenant UUID, seq INT, code UUID, PRIMARY KEY (tenant, seq))`,
	`CREATE UNIQUE INDEX uc_code ON uc (code)`,
	`INSERT INTO uc VALUES ('80000000-0000-0000-0000-000000000000', 2, '00000000-0000-0000-0000-00000000000a'),
		('80000000-0000-0000-0000-000000000000', 1, '00000000-0000-0000-0000-00000000000b'),
		('7fffffff-ffff-ffff-ffff-ffffffffffff', 5, NULL), ('7fffffff-ffff-ffff-ffff-ffffffffffff', 3, NULL)`,
	`SELECT * FROM uc ORDER BY tenant, seq`,
	`SELECT seq FROM uc WHERE tenant = '80000000-0000-0000-0000-000000000000' AND seq > 1`,
	`SELECT tenant, seq FROM uc WHERE tenant < '80000000-0000-0000-0000-000000000000' ORDER BY tenant DESC, seq DESC`,
	`INSERT INTO uc VALUES ('12345678-1234-5678-1234-567812345678', 1, '00000000-0000-0000-0000-00000000000A')`,
	`INSERT INTO uc VALUES ('80000000-0000-0000-0000-000000000000', 1, NULL)`,
	`INSERT INTO uc VALUES ('80000000-0000-0000-0000-000000000000', 1, NULL) ON CONFLICT (tenant, seq) DO NOTHING`,
	`INSERT INTO ut (id, v) VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 100) ON CONFLICT (id) DO UPDATE SET v = excluded.v + ut.v RETURNING id, v`,
	`SELECT code FROM uc WHERE code = '00000000-0000-0000-0000-00000000000b'`,
	`SELECT count(DISTINCT u) FROM (SELECT gen_random_uuid() AS u FROM generate_series(1, 100)) AS x`,
}

func TestUUIDMatchesPostgres(t *testing.T) {
	p := startComparePair(t, server.Config{})
	for _, q := range uuidSetup {
		p.check(t, q)
	}
	for _, q := range uuidQueries {
		p.check(t, q)
	}
	p.checkUnsupported(t, []struct{ sql, construct string }{
		{`CREATE TABLE ubad (u uuid[])`, `type "uuid[]"`},
	})
	// The extended protocol: pgx sends uuid parameters and asks for uuid
	// results in binary, so these compare the 16-byte forms.
	u := [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}
	for _, c := range []struct {
		sql  string
		args []any
	}{
		{`SELECT v, id, other FROM ut WHERE id = $1`, []any{u}},
		{`SELECT v FROM ut WHERE id = $1`, []any{pgtype.UUID{Bytes: u, Valid: true}}},
		{`SELECT v FROM ut WHERE id = $1`, []any{"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"}},
		{`SELECT v FROM ut WHERE id = $1`, []any{nil}},
		{`SELECT id, v FROM ut WHERE id > $1 ORDER BY id`, []any{"7fffffff-ffff-ffff-ffff-ffffffffffff"}},
		{`SELECT v FROM ut WHERE other = $1 ORDER BY v`, []any{"00000000-0000-0000-0000-000000000001"}},
		{`SELECT $1::uuid, pg_typeof($1::uuid)`, []any{u}},
		{`SELECT $1::uuid`, []any{"not a uuid"}},
		{`INSERT INTO uref VALUES ($1, $2) RETURNING u`, []any{10, u}},
		{`SELECT rid FROM uref WHERE u = $1 ORDER BY rid`, []any{u}},
	} {
		p.checkExtended(t, c.sql, c.args...)
	}
	checkUUIDWire(t, p)
	checkUUIDIndexUse(t, p.rdb)
}

// checkUUIDIndexUse proves with EXPLAIN ANALYZE that rangedb answers an
// equality on the uuid primary key by reading one key, and one on the
// indexed uuid column through the index rather than a full scan.
func checkUUIDIndexUse(t *testing.T, conn *pgx.Conn) {
	for _, c := range []struct {
		sql     string
		maxKeys int
		want    string
	}{
		{`SELECT v FROM ut WHERE id = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'`, 1, ""},
		{`SELECT v FROM ut WHERE other = '00000000-0000-0000-0000-000000000001'`, 4, "ut_other"},
		{`SELECT id FROM ut WHERE id > 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'`, 1, ""},
	} {
		plan, _, keys := explainAnalyze(t, conn, c.sql) // explain_test.go
		if keys > c.maxKeys || !strings.Contains(plan, c.want) {
			t.Errorf("%s read %d keys (want at most %d) or does not use %q:\n%s", c.sql, keys, c.maxKeys, c.want, plan)
		}
	}
}

// checkUUIDWire checks the wire format on both servers through pgconn:
// RowDescription carries OID 2950 and length 16, binary results are the
// 16 bytes, binary parameters are read as 16 bytes (other lengths are
// errors), and pgx scans uuids from text and binary results alike.
func checkUUIDWire(t *testing.T, p *comparePair) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	raw := []byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}
	run := func(conn *pgx.Conn) []string {
		var out []string
		pc := conn.PgConn()
		exec := func(what, sql string, params [][]byte, oids []uint32, pf, rf []int16) {
			res := pc.ExecParams(ctx, sql, params, oids, pf, rf).Read()
			line := what + ":"
			for _, fd := range res.FieldDescriptions {
				line += fmt.Sprintf(" [%s oid=%d len=%d mod=%d fmt=%d]", fd.Name, fd.DataTypeOID, fd.DataTypeSize, fd.TypeModifier, fd.Format)
			}
			for _, r := range res.Rows {
				for _, v := range r {
					line += fmt.Sprintf(" %x", v)
				}
			}
			if res.Err != nil {
				line += " " + errText(res.Err)
			} else {
				line += " " + res.CommandTag.String()
			}
			out = append(out, line)
		}
		exec("text result", `SELECT id, other FROM ut WHERE v = 2`, nil, nil, nil, []int16{0})
		exec("binary result", `SELECT id, other, v FROM ut WHERE v = 2`, nil, nil, nil, []int16{1})
		exec("binary gen", `SELECT length(gen_random_uuid()::text), gen_random_uuid() IS NOT NULL`, nil, nil, nil, []int16{1})
		exec("binary param", `SELECT v, id FROM ut WHERE id = $1`, [][]byte{raw}, []uint32{2950}, []int16{1}, []int16{1})
		exec("binary param text result", `SELECT $1::uuid`, [][]byte{raw}, []uint32{2950}, []int16{1}, []int16{0})
		exec("inferred binary param", `SELECT v FROM ut WHERE other = $1 ORDER BY v`,
			[][]byte{{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}, nil, []int16{1}, []int16{1})
		exec("text param", `SELECT $1::uuid`, [][]byte{[]byte("{A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11}")}, []uint32{2950}, []int16{0}, []int16{1})
		exec("short binary param", `SELECT $1::uuid`, [][]byte{raw[:15]}, []uint32{2950}, []int16{1}, []int16{1})
		exec("long binary param", `SELECT $1::uuid`, [][]byte{append(append([]byte(nil), raw...), 0)}, []uint32{2950}, []int16{1}, []int16{1})
		exec("binary insert", `INSERT INTO uref VALUES (20, $1)`, [][]byte{raw}, []uint32{2950}, []int16{1}, nil)
		exec("read back", `SELECT u FROM uref WHERE rid = 20`, nil, nil, nil, []int16{0})
		// Parameter types inferred from uuid columns (ParameterDescription).
		for _, q := range []string{`SELECT v FROM ut WHERE id = $1`, `SELECT v FROM ut WHERE other > $1 AND id <> $2`,
			`INSERT INTO uref VALUES ($1, $2)`, `UPDATE ut SET other = $1 WHERE id = $2`, `SELECT $1::uuid`} {
			sd, err := pc.Prepare(ctx, "", q, nil)
			line := "describe " + q + ":"
			if err != nil {
				line += " " + errText(err)
			} else {
				line += fmt.Sprintf(" params %v", sd.ParamOIDs)
				for _, fd := range sd.Fields {
					line += fmt.Sprintf(" [%s oid=%d len=%d]", fd.Name, fd.DataTypeOID, fd.DataTypeSize)
				}
			}
			out = append(out, line)
		}
		// pgx's own decoding, from binary and text results.
		for _, mode := range []string{"binary", "text"} {
			args := []any{}
			if mode == "text" {
				args = append(args, pgx.QueryResultFormats{pgx.TextFormatCode})
			}
			var a [16]byte
			var b pgtype.UUID
			var s string
			err := conn.QueryRow(ctx, `SELECT id, other, id::text FROM ut WHERE v = 1`, append(args, pgx.QueryExecModeCacheStatement)...).
				Scan(&a, &b, &s)
			out = append(out, fmt.Sprintf("scan [%s]: %x %x %v %s %s", mode, a, b.Bytes, b.Valid, s, errText(err)))
		}
		return out
	}
	got, want := run(p.rdb), run(p.pg)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rangedb | postgres\n%s", diffLines(got, want))
	}
	for _, l := range want {
		t.Log(l)
	}
}
