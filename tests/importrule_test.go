package tests

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/rangedb/rangedb"

// TestImportRule enforces DESIGN.md §8: imports point downward only. sql
// reaches data only through the kv client; raftstore never sees SQL; kv's
// client side never reaches into replicas.
func TestImportRule(t *testing.T) {
	forbidden := map[string][]string{
		"sql/...":       {"raftstore", "kv/mvcc", "server", "placement", "cmd"},
		"kv":            {"raftstore", "kv/mvcc", "sql", "server", "placement", "cmd"},
		"kv/kvpb":       {"kv", "raftstore", "kv/mvcc", "sql", "server", "placement", "cmd"},
		"kv/mvcc":       {"raftstore", "sql", "server", "placement", "cmd"},
		"kv/settings":   {"raftstore", "kv/mvcc", "sql", "server", "placement", "cmd"},
		"raftstore/...": {"sql", "server", "placement", "cmd"},
		"placement/...": {"raftstore", "kv/mvcc", "sql", "server", "cmd"},
		"server/...":    {"cmd"},
	}
	// Libraries only sql/parser may import (DESIGN.md §2).
	parserOnly := []string{"github.com/pganalyze/pg_query_go", "github.com/pingcap/tidb"}

	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}: {{join .Deps \" \"}} | {{join .Imports \" \"}}", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := map[string][]string{}    // transitive
	imports := map[string][]string{} // direct
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, rest, _ := strings.Cut(line, ": ")
		d, i, _ := strings.Cut(rest, " | ")
		deps[pkg] = strings.Fields(d)
		imports[pkg] = strings.Fields(i)
	}
	if len(deps) < 5 {
		t.Fatalf("go list found only %d packages", len(deps))
	}
	matches := func(pkg, pattern string) bool {
		full := module + "/" + strings.TrimSuffix(pattern, "/...")
		if strings.HasSuffix(pattern, "/...") {
			return pkg == full || strings.HasPrefix(pkg, full+"/")
		}
		return pkg == full
	}
	checked := 0
	for pkg, ds := range deps {
		for pattern, bans := range forbidden {
			if !matches(pkg, pattern) {
				continue
			}
			checked++
			for _, d := range ds {
				for _, ban := range bans {
					if d == module+"/"+ban || strings.HasPrefix(d, module+"/"+ban+"/") {
						// kv/kvpb is below kv: "kv" bans only the kv package itself and
						// its non-kvpb children.
						if ban == "kv" && (strings.HasPrefix(d, module+"/kv/kvpb")) {
							continue
						}
						t.Errorf("%s imports %s (forbidden by DESIGN.md §8)", pkg, d)
					}
				}
			}
		}
		if !matches(pkg, "sql/parser/...") {
			for _, d := range imports[pkg] {
				for _, lib := range parserOnly {
					if strings.HasPrefix(d, lib) {
						t.Errorf("%s imports %s: only sql/parser may", pkg, d)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package matched the rule table")
	}
}
