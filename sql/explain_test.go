package sql

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// explainRecorder keeps only the rows of a result (EXPLAIN's lines) and
// the command tags.
type explainRecorder struct{ b strings.Builder }

func (r *explainRecorder) SetColumns([]ResultColumn) error { return nil }
func (r *explainRecorder) AddRow(values [][]byte) error {
	parts := make([]string, len(values))
	for i, v := range values {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = string(v)
		}
	}
	r.b.WriteString(strings.Join(parts, " | ") + "\n")
	return nil
}
func (r *explainRecorder) Complete(tag string) error { return nil }
func (r *explainRecorder) EmptyQuery() error         { return nil }

// TestExplain runs the scenarios of testdata/explain through a real
// Session over the in-memory kv store. Commands:
//
//	exec      runs the input (setup), printing only errors.
//	query     runs the input and prints its rows (EXPLAIN's lines).
func TestExplain(t *testing.T) {
	datadriven.Walk(t, "testdata/explain", func(t *testing.T, path string) {
		ts := newTestServer(t)
		defer ts.close()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			ctx := context.Background()
			s := ts.session(t, d)
			rec := &explainRecorder{}
			err := s.ExecSimple(ctx, d.Input, rec)
			switch d.Cmd {
			case "exec":
				if err != nil {
					return formatError(err)
				}
				return "ok\n"
			case "query":
				out := rec.b.String()
				if err != nil {
					out += formatError(err)
				}
				return out
			}
			t.Fatalf("unknown command %s", d.Cmd)
			return ""
		})
	})
}

var _ = fmt.Sprintf
