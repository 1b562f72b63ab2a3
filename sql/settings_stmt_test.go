package sql

import (
	"context"
	"strings"
	"testing"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/settings"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/internal/kvtest"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// newSettingsTestSession returns a session of an engine whose cluster
// settings are stored through db.
func newSettingsTestSession(t *testing.T) (*kv.DB, *settings.Values, *Session) {
	t.Helper()
	db, _ := kvtest.NewDB()
	vals := settings.New(db)
	e := NewEngine(Config{DB: db, NodeID: 1, Settings: vals})
	t.Cleanup(e.Close)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := e.NewSession(context.Background(), "root", "defaultdb", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return db, vals, s
}

// run runs q as one simple-protocol query and returns its output, the
// error rendered as the golden files render it.
func run(s *Session, q string) string {
	rec := &recorder{}
	err := s.ExecSimple(context.Background(), q, rec)
	out := rec.b.String()
	if err != nil {
		out += formatError(err)
	}
	return out
}

// TestClusterSettingStatements: SET/RESET/SHOW CLUSTER SETTING(S) in the
// simple protocol, in order: canonical values, the spellings of names and
// values, DEFAULT and RESET, errors with their SQLSTATEs and positions,
// and 25001 inside a block (which aborts it).
func TestClusterSettingStatements(t *testing.T) {
	db, vals, s := newSettingsTestSession(t)
	for _, tc := range []struct{ q, want string }{
		{"SHOW CLUSTER SETTING range_max_bytes", "columns: range_max_bytes:25\n64 MiB\nSELECT 1\n"},
		{"SET CLUSTER SETTING range_max_bytes = '128KiB'", "SET CLUSTER SETTING\n"},
		{"show cluster setting RANGE_MAX_BYTES", "columns: range_max_bytes:25\n128 KiB\nSELECT 1\n"},
		{"set cluster setting \"range_max_bytes\" to 262144", "SET CLUSTER SETTING\n"},
		{"SHOW CLUSTER SETTING range_max_bytes", "columns: range_max_bytes:25\n256 KiB\nSELECT 1\n"},
		{"SET CLUSTER SETTING range_max_bytes = DEFAULT; SHOW CLUSTER SETTING range_max_bytes",
			"SET CLUSTER SETTING\ncolumns: range_max_bytes:25\n64 MiB\nSELECT 1\n"},
		{"SET CLUSTER SETTING placement.enabled = false", "SET CLUSTER SETTING\n"},
		{"SHOW CLUSTER SETTING placement . enabled", "columns: placement.enabled:25\nfalse\nSELECT 1\n"},
		{"RESET CLUSTER SETTING placement.enabled", "SET CLUSTER SETTING\n"},
		{"SHOW CLUSTER SETTING placement.enabled", "columns: placement.enabled:25\ntrue\nSELECT 1\n"},
		{"SET CLUSTER SETTING placement.merge_enabled = off", "SET CLUSTER SETTING\n"},
		{"SET CLUSTER SETTING server.time_until_store_dead = '10m' -- a comment", "SET CLUSTER SETTING\n"},
		{"SHOW CLUSTER SETTING server.time_until_store_dead", "columns: server.time_until_store_dead:25\n10m0s\nSELECT 1\n"},
		{"SET CLUSTER SETTING range_split_qps = 1.5e3", "SET CLUSTER SETTING\n"},
		{"SET CLUSTER SETTING range_split_qps = -5",
			"ERROR 22023: invalid value for cluster setting \"range_split_qps\": -5 is below the minimum 1 (position 21)\n"},
		{"SET CLUSTER SETTING range_max_bytes = 'lots'",
			"ERROR 22023: invalid value for cluster setting \"range_max_bytes\": \"lots\" is not a byte size (no number) (position 21)\n"},
		{"SET CLUSTER SETTING no.such = 1", "ERROR 42704: unknown cluster setting \"no.such\" (position 21)\n"},
		{"SHOW CLUSTER SETTING no_such", "ERROR 42704: unknown cluster setting \"no_such\" (position 22)\n"},
		{"RESET CLUSTER SETTING no_such", "ERROR 42704: unknown cluster setting \"no_such\" (position 23)\n"},
		{"SET CLUSTER SETTING range_max_bytes", "ERROR 42601: syntax error at end of input (position 36)\n"},
		{"SET CLUSTER SETTING = 1", "ERROR 42601: syntax error at or near \"=\" (position 21)\n"},
		{"SET CLUSTER SETTING a = 1 2", "ERROR 42601: syntax error at or near \"2\" (position 27)\n"},
		{"SHOW ALL CLUSTER SETTING x", "ERROR 42601: syntax error at or near \"SETTING\" (position 18)\n"},
		{"SELECT 1 AS one; SHOW CLUSTER SETTING replication_factor",
			"columns: one:23\n1\nSELECT 1\ncolumns: replication_factor:25\n3\nSELECT 1\n"},
		{"BEGIN; SET CLUSTER SETTING replication_factor = 5",
			"BEGIN\nERROR 25001: SET CLUSTER SETTING cannot be used inside a multi-statement transaction\n"},
		{"SHOW CLUSTER SETTING replication_factor",
			"ERROR 25P02: current transaction is aborted, commands ignored until end of transaction block\n"},
		{"ROLLBACK", "ROLLBACK\n"},
		{"BEGIN; SHOW CLUSTER SETTING replication_factor; COMMIT",
			"BEGIN\ncolumns: replication_factor:25\n3\nSELECT 1\nCOMMIT\n"},
		{"SET application_name = 'still a session setting'", "SET\n"},
	} {
		if got := run(s, tc.q); got != tc.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.q, got, tc.want)
		}
	}
	if n := vals.Int("replication_factor"); n != 3 {
		t.Errorf("replication_factor %d after the refused SET", n)
	}
	if !vals.Bool("placement.enabled") || vals.Bool("placement.merge_enabled") || vals.Float("range_split_qps") != 1500 {
		t.Errorf("cached values wrong")
	}
	ctx := context.Background()
	if v, ok, err := db.RawGet(ctx, settings.SettingKey("server.time_until_store_dead")); err != nil || !ok || string(v) != "10m0s" {
		t.Errorf("stored %q %v %v", v, ok, err)
	}
	if _, ok, err := db.RawGet(ctx, settings.SettingKey("placement.enabled")); err != nil || ok {
		t.Errorf("RESET left a stored value (%v)", err)
	}

	out := run(s, "SHOW ALL CLUSTER SETTINGS")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 10 || lines[0] != "columns: variable:25 | value:25 | setting_type:25 | description:25" ||
		lines[9] != "SELECT 8" {
		t.Fatalf("SHOW ALL CLUSTER SETTINGS:\n%s", out)
	}
	if !strings.Contains(out, "range_max_bytes | 64 MiB | z | a range larger than this is split\n") ||
		!strings.Contains(out, "server.time_until_store_dead | 10m0s | d | ") {
		t.Fatalf("SHOW ALL CLUSTER SETTINGS:\n%s", out)
	}
	if got := run(s, "SHOW CLUSTER SETTINGS"); got != out {
		t.Fatalf("SHOW CLUSTER SETTINGS differs:\n%s", got)
	}
}

// TestClusterSettingsWithoutConfig: an engine without Config.Settings
// keeps defaults-only settings in memory; SET still works there.
func TestClusterSettingsWithoutConfig(t *testing.T) {
	_, s := newRangesTestServer(t, nil)
	if got := run(s, "SET CLUSTER SETTING replication_factor = 1; SHOW CLUSTER SETTING replication_factor"); got != "SET CLUSTER SETTING\ncolumns: replication_factor:25\n1\nSELECT 1\n" {
		t.Fatalf("got %q", got)
	}
}

// TestClusterSettingsExtendedProtocol: the statements run through
// Parse/Bind/Execute: SHOW describes its column, SET has none, an unknown
// name fails at Parse with 42704, and SET inside a block is 25001.
func TestClusterSettingsExtendedProtocol(t *testing.T) {
	_, vals, s := newSettingsTestSession(t)
	ctx := context.Background()
	exec := func(q string) (string, error) {
		if err := s.Parse(ctx, "", q, nil); err != nil {
			return "", err
		}
		if err := s.Bind(ctx, "", "", nil, nil, nil); err != nil {
			return "", err
		}
		rec := &recorder{}
		if _, err := s.Execute(ctx, "", 0, rec); err != nil {
			return "", err
		}
		return rec.b.String(), s.Sync(ctx)
	}
	if err := s.Parse(ctx, "", "SHOW CLUSTER SETTING range_min_bytes", nil); err != nil {
		t.Fatal(err)
	}
	_, cols, err := s.DescribeStatement(ctx, "")
	if err != nil || len(cols) != 1 || cols[0].Name != "range_min_bytes" || cols[0].TypeOID != 25 {
		t.Fatalf("describe: %+v %v", cols, err)
	}
	if err := s.Parse(ctx, "", "SET CLUSTER SETTING range_min_bytes = '2MiB'", nil); err != nil {
		t.Fatal(err)
	}
	if _, cols, err := s.DescribeStatement(ctx, ""); err != nil || cols != nil {
		t.Fatalf("describe SET: %+v %v", cols, err)
	}
	if out, err := exec("SET CLUSTER SETTING range_min_bytes = '2MiB'"); err != nil || out != "SET CLUSTER SETTING\n" {
		t.Fatalf("SET: %q %v", out, err)
	}
	if out, err := exec("SHOW CLUSTER SETTING range_min_bytes"); err != nil || out != "2 MiB\nSELECT 1\n" {
		t.Fatalf("SHOW: %q %v", out, err)
	}
	if vals.Bytes("range_min_bytes") != 2<<20 {
		t.Fatalf("cached %d", vals.Bytes("range_min_bytes"))
	}
	_, err = exec("SHOW CLUSTER SETTING nope")
	wantCode(t, err, pgerror.CodeUndefinedObject)
	_ = s.Sync(ctx)
	_, err = exec("SET CLUSTER SETTING range_min_bytes = 'x'")
	wantCode(t, err, pgerror.CodeInvalidParameterValue)
	_ = s.Sync(ctx)
	mustExec(t, s, "BEGIN")
	_, err = exec("SET CLUSTER SETTING range_min_bytes = DEFAULT")
	wantCode(t, err, pgerror.CodeActiveSQLTransaction)
	mustExec(t, s, "ROLLBACK")
	if out, err := exec("SET CLUSTER SETTING range_min_bytes = DEFAULT"); err != nil || out != "SET CLUSTER SETTING\n" {
		t.Fatalf("SET DEFAULT: %q %v", out, err)
	}
	if vals.Bytes("range_min_bytes") != 1<<20 {
		t.Fatalf("after DEFAULT %d", vals.Bytes("range_min_bytes"))
	}
}

// TestShowPlacementDecisionsParses: SHOW PLACEMENT DECISIONS is routed to
// the admin parser, returns its columns, and reads an empty log.
func TestShowPlacementDecisionsParses(t *testing.T) {
	for _, q := range []string{"SHOW PLACEMENT DECISIONS", "show placement decisions;"} {
		stmts, err := parser.Parse(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if _, ok := stmts[0].AST.(*ast.ShowPlacementDecisions); len(stmts) != 1 || !ok {
			t.Fatalf("%s: %#v", q, stmts)
		}
	}
}
