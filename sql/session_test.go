package sql

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/sql/internal/kvtest"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
)

// recorder is a ResultWriter that renders results as the golden files
// show them.
type recorder struct {
	b strings.Builder
	// onRow, if set, is called after each row.
	onRow func(n int)
	rows  int
}

func (r *recorder) SetColumns(cols []ResultColumn) error {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("%s:%d", c.Name, c.TypeOID)
	}
	fmt.Fprintf(&r.b, "columns: %s\n", strings.Join(parts, " | "))
	return nil
}

func (r *recorder) AddRow(values [][]byte) error {
	parts := make([]string, len(values))
	for i, v := range values {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = string(v)
		}
	}
	r.b.WriteString(strings.Join(parts, " | ") + "\n")
	r.rows++
	if r.onRow != nil {
		r.onRow(r.rows)
	}
	return nil
}

func (r *recorder) Complete(tag string) error {
	r.b.WriteString(tag + "\n")
	return nil
}

func (r *recorder) EmptyQuery() error {
	r.b.WriteString("EMPTY QUERY\n")
	return nil
}

func formatError(err error) string {
	pe, ok := err.(*pgerror.Error)
	if !ok {
		return fmt.Sprintf("NOT A PGERROR (%T): %v\n", err, err)
	}
	s := fmt.Sprintf("ERROR %s: %s", pe.Code, pe.Message)
	if pe.Position > 0 {
		s += fmt.Sprintf(" (position %d)", pe.Position)
	}
	s += "\n"
	if pe.Detail != "" {
		s += "DETAIL: " + pe.Detail + "\n"
	}
	if pe.Hint != "" {
		s += "HINT: " + pe.Hint + "\n"
	}
	return s
}

type testServer struct {
	db       *kv.DB
	store    *kvtest.Store
	engine   *Engine
	sessions map[string]*Session
}

func newTestServer(t *testing.T) *testServer {
	db, store := kvtest.NewDB()
	e := NewEngine(Config{DB: db, NodeID: 1})
	e.scanBatchSize = 3 // small, so multi-batch scans are exercised
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &testServer{db: db, store: store, engine: e, sessions: map[string]*Session{}}
}

func (ts *testServer) session(t *testing.T, d *datadriven.TestData) *Session {
	name := "default"
	if d.HasArg("session") {
		d.ScanArgs(t, "session", &name)
	}
	s, ok := ts.sessions[name]
	if !ok {
		var err error
		s, err = ts.engine.NewSession(context.Background(), "root", "defaultdb", nil)
		if err != nil {
			t.Fatal(err)
		}
		ts.sessions[name] = s
	}
	return s
}

func (ts *testServer) close() {
	for _, s := range ts.sessions {
		s.Close()
	}
}

// TestSession runs the scenarios of testdata/session. Commands:
//
//	exec [session=name] [stats] [canceled]
//	  runs the input as one simple-protocol query and prints the columns
//	  (name:type oid), rows (NULL for null), command tags and the error;
//	  stats adds the kv requests the query made; canceled runs it with a
//	  cancelled context.
//	status [session=name]    prints the transaction status (I, T, E).
//	plan [session=name]      prints the plan of one statement.
//	new-session user=… database=…   opens a session (prints its error).
func TestSession(t *testing.T) {
	datadriven.Walk(t, "testdata/session", func(t *testing.T, path string) {
		ts := newTestServer(t)
		defer ts.close()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			ctx := context.Background()
			switch d.Cmd {
			case "exec":
				s := ts.session(t, d)
				if d.HasArg("canceled") {
					c, cancel := context.WithCancel(ctx)
					cancel()
					ctx = c
				}
				g0, s0, k0 := ts.engine.Stats.Gets.Load(), ts.engine.Stats.Scans.Load(), ts.engine.Stats.KeysRead.Load()
				rec := &recorder{}
				err := s.ExecSimple(ctx, d.Input, rec)
				out := rec.b.String()
				if err != nil {
					out += formatError(err)
				}
				if d.HasArg("stats") {
					out += fmt.Sprintf("kv: gets=%d scans=%d keys=%d\n",
						ts.engine.Stats.Gets.Load()-g0, ts.engine.Stats.Scans.Load()-s0, ts.engine.Stats.KeysRead.Load()-k0)
				}
				return out
			case "status":
				return fmt.Sprintf("%c\n", ts.session(t, d).TxnStatus())
			case "plan":
				s := ts.session(t, d)
				st, err := parser.ParseOne(d.Input)
				if err != nil {
					return formatError(err)
				}
				txn, err := ts.db.NewTxn(ctx)
				if err != nil {
					t.Fatal(err)
				}
				defer func() { _ = txn.Rollback(ctx) }()
				s.txn = txn
				defer func() { s.txn = nil }()
				n, err := plan.Build(ctx, &resolver{s: s}, st.AST)
				if err != nil {
					return formatError(s.sqlError(ctx, err))
				}
				return plan.ExplainString(n)
			case "new-session":
				var user, database string
				d.ScanArgs(t, "user", &user)
				d.ScanArgs(t, "database", &database)
				s, err := ts.engine.NewSession(ctx, user, database, nil)
				if err != nil {
					return formatError(err)
				}
				s.Close()
				return "ok\n"
			}
			t.Fatalf("unknown command %s", d.Cmd)
			return ""
		})
	})
}
