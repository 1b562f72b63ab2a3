// Package pgcheck replays a session scenario (testdata/session/…) against
// a real PostgreSQL and writes what it answered, in the golden files'
// format, so expected outputs can be checked against PostgreSQL 15 (row
// order aside: PostgreSQL returns heap order, rangedb primary-key order).
// It is skipped unless PGCHECK_SCENARIO is set:
//
//	PGCHECK_SCENARIO=sql/testdata/session/errors PGCHECK_OUT=/tmp/pg.txt \
//	PGCHECK_CONN='host=/tmp/pg15 port=54329 user=postgres' go test ./sql/internal/pgcheck
package pgcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestPG(t *testing.T) {
	path := os.Getenv("PGCHECK_SCENARIO")
	if path == "" {
		t.Skip("PGCHECK_SCENARIO not set")
	}
	connStr := os.Getenv("PGCHECK_CONN")
	ctx := context.Background()
	admin, err := pgconn.Connect(ctx, connStr+" dbname=postgres")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS chk").ReadAll()
	_, _ = admin.Exec(ctx, "CREATE DATABASE chk").ReadAll()
	conns := map[string]*pgconn.PgConn{}
	var out strings.Builder
	datadriven.RunTestFromString(t, readFile(t, path), func(t *testing.T, d *datadriven.TestData) string {
		if d.Cmd != "exec" {
			return d.Expected
		}
		name := "default"
		if d.HasArg("session") {
			d.ScanArgs(t, "session", &name)
		}
		c := conns[name]
		if c == nil {
			c, err = pgconn.Connect(ctx, connStr+" dbname=chk")
			if err != nil {
				t.Fatal(err)
			}
			conns[name] = c
		}
		var b strings.Builder
		mrr := c.Exec(ctx, d.Input)
		for mrr.NextResult() {
			rr := mrr.ResultReader()
			fds := rr.FieldDescriptions()
			if len(fds) > 0 {
				parts := []string{}
				for _, f := range fds {
					parts = append(parts, fmt.Sprintf("%s:%d", f.Name, f.DataTypeOID))
				}
				fmt.Fprintf(&b, "columns: %s\n", strings.Join(parts, " | "))
			}
			for rr.NextRow() {
				parts := []string{}
				for _, v := range rr.Values() {
					if v == nil {
						parts = append(parts, "NULL")
					} else {
						parts = append(parts, string(v))
					}
				}
				b.WriteString(strings.Join(parts, " | ") + "\n")
			}
			tag, err := rr.Close()
			if err == nil {
				b.WriteString(tag.String() + "\n")
			}
		}
		err := mrr.Close()
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			s := fmt.Sprintf("ERROR %s: %s", pe.Code, pe.Message)
			if pe.Position > 0 {
				s += fmt.Sprintf(" (position %d)", pe.Position)
			}
			b.WriteString(s + "\n")
			if pe.Detail != "" {
				b.WriteString("DETAIL: " + pe.Detail + "\n")
			}
			if pe.Hint != "" {
				b.WriteString("HINT: " + pe.Hint + "\n")
			}
		} else if err != nil {
			b.WriteString("ERR " + err.Error() + "\n")
		}
		fmt.Fprintf(&out, "%s\n----\n%s\n", d.Input, b.String())
		return d.Expected
	})
	if err := os.WriteFile(os.Getenv("PGCHECK_OUT"), []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		_ = c.Close(ctx)
	}
	_ = admin.Close(ctx)
}

func readFile(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
