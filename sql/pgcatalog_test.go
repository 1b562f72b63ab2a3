package sql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// TestPgCatalog runs catalog queries of the shapes psql 15 sends (its \d,
// \dt, \di) against a small schema and checks their rows: pg_catalog's
// virtual tables, the catalog functions, the reg* casts, the regular
// expression operators and arrays in their text form.
func TestPgCatalog(t *testing.T) {
	_, s := newTestSession(t)
	for _, q := range []string{
		"CREATE TABLE parent (k serial PRIMARY KEY, name text NOT NULL DEFAULT 'x', code int UNIQUE, neg int DEFAULT -1)",
		"CREATE TABLE child (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, p int REFERENCES parent (k) ON DELETE CASCADE, qty int CHECK (qty > 0))",
		"CREATE UNIQUE INDEX child_live ON child (p, qty DESC) WHERE qty > 1",
		"CREATE TABLE norowid (a int)",
		"CREATE VIEW v AS SELECT k FROM parent",
		"CREATE SEQUENCE sq",
	} {
		mustExec(t, s, q)
	}
	for _, c := range []struct{ q, want string }{
		{`SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) '^(parent)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid)`,
			"parent"},
		{`SELECT relname || ' ' || relkind FROM pg_class WHERE relname !~ '_seq$' AND relname ~* '^(P|C|N|V|S)' ORDER BY 1`,
			"child r|child_live i|child_pkey i|norowid r|parent r|parent_code_key i|parent_pkey i|sq S|v v"},
		{`SELECT 'parent'::pg_catalog.regclass::pg_catalog.oid::pg_catalog.regclass::pg_catalog.text`, "parent"},
		{`SELECT 'pg_catalog.pg_class'::regclass, 25::regtype, 2200::regnamespace, 'public'::regnamespace`, "1259 | text | public | 2200"},
		{`SELECT pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) || ' / ' || pg_get_indexdef(i.indexrelid) || ' / ' || pg_get_indexdef(i.indexrelid, 2, true)
			FROM pg_index i, pg_class c WHERE c.oid = i.indexrelid AND c.relname = 'child_live'`,
			"CREATE UNIQUE INDEX child_live ON public.child USING btree (p, qty DESC) WHERE qty > 1 / " +
				"CREATE UNIQUE INDEX child_live ON public.child USING btree (p, qty DESC) WHERE (qty > 1) / qty"},
		{`SELECT contype || ' ' || pg_get_constraintdef(oid, true) FROM pg_constraint WHERE conrelid = 'child'::regclass ORDER BY conname`,
			"f FOREIGN KEY (p) REFERENCES parent(k) ON DELETE CASCADE|p PRIMARY KEY (id)|c CHECK (qty > 0)"},
		{`SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'`, "CHECK ((qty > 0))"},
		{`SELECT a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod) || ' ' || coalesce((SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)
			FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef), '-')
			FROM pg_attribute a WHERE attrelid = 'parent'::regclass ORDER BY attnum`,
			"k integer nextval('parent_k_seq'::regclass)|name text 'x'::text|code integer -|neg integer '-1'::integer"},
		{`SELECT count(*) FROM pg_attribute WHERE attrelid = 'norowid'::regclass`, "1"},
		{`SELECT count(*) FROM pg_index WHERE indrelid = 'norowid'::regclass`, "0"},
		{`SELECT attidentity FROM pg_attribute WHERE attrelid = 'child'::regclass AND attname = 'id'`, "a"},
		{`SELECT pg_get_userbyid(relowner) || ' ' || pg_get_userbyid(6171) FROM pg_class WHERE relname = 'v'`, "root pg_database_owner"},
		{`SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'`, "public"},
		{`SELECT seqtypid::regtype || ' ' || seqstart FROM pg_sequence WHERE seqrelid = 'sq'::regclass`, "bigint 1"},
		{`SELECT deptype FROM pg_depend WHERE objid = 'child_id_seq'::regclass`, "i"},
		{`SELECT ARRAY(SELECT relname FROM pg_class WHERE relname IN ('v', 'sq') ORDER BY 1)`, "{sq,v}"},
		{`SELECT array_to_string(ARRAY(SELECT x FROM (VALUES ('a b'), (NULL), ('c')) t(x)), '-'), ARRAY(SELECT 1 WHERE false)`, "a b-c | {}"},
		{`SELECT ARRAY(SELECT x FROM (VALUES ('a b'), (NULL), (''), ('q"')) t(x))`, `{"a b",NULL,"","q\""}`},
		{`SELECT '10' = ANY ('{1,10}'), 3 = ANY ('{1,NULL}'), array_upper('{a,b,c}'::text[], 1), ('{x,y}'::text)[2]`, "t | NULL | 3 | y"},
		{`SELECT relid FROM pg_partition_ancestors('parent'::regclass) WITH ORDINALITY AS a(relid, depth)`, "SELECT 0"},
		{`SELECT pg_partition_ancestors('parent') UNION ALL VALUES ('parent'::regclass)`, "SELECT 1"},
	} {
		rec := &recorder{}
		if err := s.ExecSimple(context.Background(), c.q, rec); err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		got := strings.ReplaceAll(strings.TrimSpace(rec.b.String()), "\n", "|")
		if !strings.Contains(got, c.want) {
			t.Errorf("%s:\ngot  %s\nwant %s", c.q, got, c.want)
		}
	}
	for _, c := range []struct{ q, code string }{
		{`SELECT 'nope'::regclass`, "42P01"},
		{`SELECT 'nope'::regnamespace`, "42704"},
		{`SELECT 1 < ANY ('{1,2}')`, "0A000"},
		{`SELECT 1 = ANY (k) FROM parent`, "0A000"},
		{`SELECT k[1] FROM parent`, "0A000"},
		{`SELECT 'a' COLLATE "de_DE"`, "0A000"},
		{`SELECT * FROM pg_catalog.pg_proc`, "0A000"},
		{`SELECT * FROM generate_series(1, 2) WITH ORDINALITY`, "0A000"},
	} {
		err := s.ExecSimple(context.Background(), c.q, &recorder{})
		var pe *pgerror.Error
		if !errors.As(err, &pe) || pe.Code != c.code {
			t.Errorf("%s: %v, want %s", c.q, err, c.code)
		}
	}
}
