package slt

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Kind is a record's type.
type Kind uint8

// The record kinds.
const (
	KindStatement Kind = iota + 1
	KindQuery
	KindHashThreshold
	KindHalt
)

// SortMode is how a query's values are sorted before comparison.
type SortMode uint8

// The sort modes.
const (
	NoSort SortMode = iota
	RowSort
	ValueSort
)

// Record is one record of a test file.
type Record struct {
	Line int // 1-based line of the record's first line (conditions included)
	Kind Kind
	// Conditions: engine names from skipif / onlyif lines.
	SkipIf []string
	OnlyIf []string
	// Statement.
	ExpectError bool
	SQL         string
	// Query.
	Types     string
	Sort      SortMode
	Label     string
	Expected  []string // result lines after ----
	HasResult bool
	// HashThreshold.
	Threshold int
}

// Applies reports whether the record runs for engine (a label such as
// "postgresql").
func (r *Record) Applies(engine string) bool {
	for _, e := range r.SkipIf {
		if strings.EqualFold(e, engine) {
			return false
		}
	}
	for _, e := range r.OnlyIf {
		if !strings.EqualFold(e, engine) {
			return false
		}
	}
	return true
}

// Parse splits a test file into records as SQLite's reference runner does
// (FORMAT.md): records are runs of non-blank lines, '#' lines are comments
// anywhere, one trailing '\r' is stripped from each line.
func Parse(data []byte) ([]Record, error) {
	lines := bytes.Split(data, []byte("\n"))
	var recs []Record
	i := 0
	for i < len(lines) {
		// Skip blank lines and comments between records.
		l := line(lines[i])
		if isBlank(l) || strings.HasPrefix(l, "#") {
			i++
			continue
		}
		start := i
		var body []string
		for i < len(lines) {
			l = line(lines[i])
			if isBlank(l) {
				break
			}
			if !strings.HasPrefix(l, "#") {
				body = append(body, l)
			}
			i++
		}
		if len(body) == 0 {
			continue
		}
		rec := Record{Line: start + 1}
		// Conditions.
		for len(body) > 0 {
			f := fields(body[0])
			if len(f) >= 2 && (f[0] == "skipif" || f[0] == "onlyif") {
				if f[0] == "skipif" {
					rec.SkipIf = append(rec.SkipIf, f[1])
				} else {
					rec.OnlyIf = append(rec.OnlyIf, f[1])
				}
				body = body[1:]
				continue
			}
			break
		}
		if len(body) == 0 {
			continue
		}
		f := fields(body[0])
		switch f[0] {
		case "statement":
			rec.Kind = KindStatement
			if len(f) < 2 || (f[1] != "ok" && f[1] != "error") {
				return nil, fmt.Errorf("line %d: statement must be ok or error", rec.Line)
			}
			rec.ExpectError = f[1] == "error"
			rec.SQL = strings.Join(body[1:], "\n")
		case "query":
			rec.Kind = KindQuery
			if len(f) < 2 {
				return nil, fmt.Errorf("line %d: query without types", rec.Line)
			}
			rec.Types = f[1]
			if len(f) >= 3 {
				switch f[2] {
				case "nosort":
				case "rowsort":
					rec.Sort = RowSort
				case "valuesort":
					rec.Sort = ValueSort
				default:
					return nil, fmt.Errorf("line %d: unknown sort mode %q", rec.Line, f[2])
				}
			}
			if len(f) >= 4 {
				rec.Label = f[3]
				if len(rec.Label) > 20 {
					rec.Label = rec.Label[:20]
				}
			}
			sql := body[1:]
			for j, l := range sql {
				if l == "----" {
					rec.HasResult = true
					rec.Expected = append([]string(nil), sql[j+1:]...)
					sql = sql[:j]
					break
				}
			}
			rec.SQL = strings.Join(sql, "\n")
		case "hash-threshold":
			rec.Kind = KindHashThreshold
			if len(f) < 2 {
				return nil, fmt.Errorf("line %d: hash-threshold without a value", rec.Line)
			}
			n, err := strconv.Atoi(f[1])
			if err != nil {
				return nil, fmt.Errorf("line %d: hash-threshold %q", rec.Line, f[1])
			}
			rec.Threshold = n
		case "halt":
			rec.Kind = KindHalt
		default:
			return nil, fmt.Errorf("line %d: unknown record type %q", rec.Line, f[0])
		}
		recs = append(recs, rec)
	}
	return recs, nil
}

func line(b []byte) string {
	return strings.TrimSuffix(string(b), "\r")
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// fields splits a record's first line into at most 4 whitespace-separated
// tokens, each truncated to 199 bytes, as the reference runner does.
func fields(s string) []string {
	f := strings.Fields(s)
	if len(f) > 4 {
		f = f[:4]
	}
	for i := range f {
		if len(f[i]) > 199 {
			f[i] = f[i][:199]
		}
	}
	return f
}
