package slt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Engine is the label the runner matches skipif/onlyif against.
const Engine = "postgresql"

// Target provides a fresh, empty database for each file.
type Target interface {
	// Name names the target in reports ("rangedb", "postgresql").
	Name() string
	// Fresh returns the URL of a new empty database and a function that
	// drops it.
	Fresh(ctx context.Context) (url string, done func(), err error)
}

// Outcome is what happened to one record: "pass", or "fail:" followed by
// the SQLSTATE of the error or a reason (wrong, error-expected, columns,
// timeout, conn).
type Outcome string

// Pass is the outcome of a record that passed.
const Pass Outcome = "pass"

// RecordResult is the outcome of one runnable record.
type RecordResult struct {
	Line    int
	Outcome Outcome
	Detail  string // the error message or what differed
}

// FileResult is what running one file gave.
type FileResult struct {
	File     string
	Runnable int
	Passed   int
	Skipped  int
	Failed   map[string]int // by reason: "statement: 42601", "query: wrong"…
	Halted   bool
	Seconds  float64
	Records  []RecordResult
	Err      error // a file-level error (parse, connect)

	// With Options.PreSplit: the tables split after their CREATE TABLE,
	// the ranges they then spanned in all, and the splits that failed.
	SplitTables int
	SplitRanges int
	SplitErrors []string
}

// Options tunes a run.
type Options struct {
	// StatementTimeout bounds each record (default 60s).
	StatementTimeout time.Duration
	// PreSplit splits each table into several ranges after the CREATE
	// TABLE that made it succeeds (presplit.go); for a cluster target.
	PreSplit bool
}

// RunFile runs one test file against a fresh database of target.
func RunFile(ctx context.Context, target Target, path, name string, opts Options) *FileResult {
	if opts.StatementTimeout == 0 {
		opts.StatementTimeout = 60 * time.Second
	}
	res := &FileResult{File: name, Failed: map[string]int{}}
	start := time.Now()
	defer func() { res.Seconds = time.Since(start).Seconds() }()
	data, err := os.ReadFile(path)
	if err != nil {
		res.Err = err
		return res
	}
	recs, err := Parse(data)
	if err != nil {
		res.Err = fmt.Errorf("%s: %w", name, err)
		return res
	}
	url, done, err := target.Fresh(ctx)
	if err != nil {
		res.Err = fmt.Errorf("%s: fresh database: %w", target.Name(), err)
		return res
	}
	defer done()
	r := &fileRun{url: url, opts: opts, threshold: 8, labels: map[string]string{}}
	defer r.close()
	for i := range recs {
		rec := &recs[i]
		if rec.Kind == KindHalt {
			if rec.Applies(Engine) {
				res.Halted = true
				break
			}
			continue
		}
		if rec.Kind == KindHashThreshold {
			r.threshold = rec.Threshold
			continue
		}
		if !rec.Applies(Engine) {
			res.Skipped++
			// A skipped labelled query still fixes the label's hash.
			if rec.Kind == KindQuery && rec.Label != "" && rec.HasResult {
				if h, ok := expectedHash(rec); ok {
					if _, seen := r.labels[rec.Label]; !seen {
						r.labels[rec.Label] = h
					}
				}
			}
			continue
		}
		res.Runnable++
		out, detail := r.run(ctx, rec)
		res.Records = append(res.Records, RecordResult{Line: rec.Line, Outcome: out, Detail: detail})
		if opts.PreSplit && out == Pass && rec.Kind == KindStatement && !rec.ExpectError {
			r.preSplit(ctx, rec, res)
		}
		if out == Pass {
			res.Passed++
		} else {
			kind := "statement"
			if rec.Kind == KindQuery {
				kind = "query"
			}
			res.Failed[kind+": "+strings.TrimPrefix(string(out), "fail:")]++
		}
		if ctx.Err() != nil {
			res.Err = ctx.Err()
			break
		}
	}
	return res
}

// expectedHash returns the hash an expected result stands for, when it is
// given as a hash line or as values.
func expectedHash(rec *Record) (string, bool) {
	if len(rec.Expected) == 1 && strings.Contains(rec.Expected[0], " values hashing to ") {
		f := strings.Fields(rec.Expected[0])
		return f[len(f)-1], true
	}
	return hashValues(rec.Expected), true
}

type fileRun struct {
	url       string
	opts      Options
	conn      *pgx.Conn
	threshold int
	labels    map[string]string
}

func (r *fileRun) close() {
	if r.conn != nil {
		_ = r.conn.Close(context.Background())
		r.conn = nil
	}
}

func (r *fileRun) connect(ctx context.Context) error {
	if r.conn != nil && !r.conn.IsClosed() {
		return nil
	}
	cfg, err := pgx.ParseConfig(r.url)
	if err != nil {
		return err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	r.conn, err = pgx.ConnectConfig(cctx, cfg)
	return err
}

func failOf(err error) (Outcome, string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return Outcome("fail:" + pe.Code), pe.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "fail:timeout", err.Error()
	}
	return "fail:conn", err.Error()
}

// preSplit splits the table rec created, if it is a CREATE TABLE.
func (r *fileRun) preSplit(ctx context.Context, rec *Record, res *FileResult) {
	if r.conn == nil {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, r.opts.StatementTimeout)
	defer cancel()
	table, ranges, err := preSplit(sctx, r.conn, rec.SQL)
	switch {
	case err != nil:
		res.SplitErrors = append(res.SplitErrors, fmt.Sprintf("%s:%d: %v", res.File, rec.Line, err))
		if r.conn.IsClosed() {
			r.conn = nil
		}
	case table != "":
		res.SplitTables++
		res.SplitRanges += ranges
	}
}

func (r *fileRun) run(ctx context.Context, rec *Record) (Outcome, string) {
	if err := r.connect(ctx); err != nil {
		return "fail:conn", err.Error()
	}
	sctx, cancel := context.WithTimeout(ctx, r.opts.StatementTimeout)
	defer cancel()
	if rec.Kind == KindStatement {
		_, err := r.conn.Exec(sctx, rec.SQL)
		if err != nil && r.conn.IsClosed() {
			r.conn = nil
		}
		switch {
		case err == nil && rec.ExpectError:
			return "fail:error-expected", "statement succeeded"
		case err != nil && !rec.ExpectError:
			return failOf(err)
		}
		return Pass, ""
	}
	rows, err := r.conn.Query(sctx, rec.SQL)
	if err != nil {
		return failOf(err)
	}
	ncols := len(rows.FieldDescriptions())
	var vals []string
	for rows.Next() {
		raw := rows.RawValues()
		for c, v := range raw {
			letter := byte('T')
			if c < len(rec.Types) {
				letter = rec.Types[c]
			}
			vals = append(vals, render(v, letter))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		if r.conn.IsClosed() {
			r.conn = nil
		}
		return failOf(err)
	}
	if ncols != len(rec.Types) {
		return "fail:columns", fmt.Sprintf("%d columns, types %q", ncols, rec.Types)
	}
	vals = sortValues(vals, ncols, rec.Sort)
	got := hashValues(vals)
	if rec.Label != "" {
		if want, ok := r.labels[rec.Label]; ok && want != got {
			return "fail:wrong", "label " + rec.Label + " hash differs"
		}
		r.labels[rec.Label] = got
	}
	if !rec.HasResult {
		return Pass, ""
	}
	if r.threshold > 0 && len(vals) > r.threshold {
		want := fmt.Sprintf("%d values hashing to %s", len(vals), got)
		if len(rec.Expected) != 1 || rec.Expected[0] != want {
			return "fail:wrong", fmt.Sprintf("got %s", want)
		}
		return Pass, ""
	}
	if len(vals) != len(rec.Expected) {
		return "fail:wrong", fmt.Sprintf("%d values, want %d", len(vals), len(rec.Expected))
	}
	for i := range vals {
		if vals[i] != rec.Expected[i] {
			return "fail:wrong", fmt.Sprintf("value %d: %q, want %q", i, vals[i], rec.Expected[i])
		}
	}
	return Pass, ""
}
