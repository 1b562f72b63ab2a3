package slt

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rangedb/rangedb/tests/pgtest"
)

// corpusDir returns the corpus's test directory, or "" when it is absent.
func corpusDir() string {
	dir := os.Getenv("RANGEDB_SLT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "sqllogictest", "test")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

func requireCorpus(t *testing.T) string {
	dir := corpusDir()
	if dir == "" {
		msg := "!!! SQL LOGIC TEST CORPUS NOT FOUND (../shared/sqllogictest/test; set RANGEDB_SLT_DIR): the SLT suite is SKIPPED !!!"
		fmt.Fprintln(os.Stderr, msg)
		t.Skip(msg)
	}
	return dir
}

// makeTestFiles are the files `make test` holds rangedb to.
func makeTestFiles(t *testing.T, dir string) []string {
	files := []string{"select1.test", "select2.test", "select3.test", "select4.test", "select5.test"}
	ev, err := filepath.Glob(filepath.Join(dir, "evidence", "*.test"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ev {
		rel, _ := filepath.Rel(dir, f)
		files = append(files, rel)
	}
	return files
}

// allFiles lists every .test file under dir.
func allFiles(t *testing.T, dir string) []string {
	var files []string
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(p, ".test") {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

type pair struct{ rdb, pg *FileResult }

// pgBaseline is ../shared/sqllogictest/postgresql15-results.json: what
// PostgreSQL 15.18 did with each file (runnable records and passes).
type pgBaseline struct {
	Files []struct {
		File     string `json:"file"`
		Runnable int    `json:"runnable"`
		Pass     int    `json:"pass"`
	} `json:"files"`
}

// checkBaseline holds the runner to the published PostgreSQL figures: the
// PostgreSQL started by the test must count the same runnable records and
// passes per file, or the runner (not rangedb) is wrong.
func checkBaseline(t *testing.T, dir string, results []pair) {
	data, err := os.ReadFile(filepath.Join(dir, "..", "postgresql15-results.json"))
	if err != nil {
		t.Logf("no postgresql15-results.json beside the corpus: the runner's PostgreSQL figures are not cross-checked (%v)", err)
		return
	}
	var base pgBaseline
	if err := json.Unmarshal(data, &base); err != nil {
		t.Fatalf("postgresql15-results.json: %v", err)
	}
	want := map[string][2]int{}
	for _, f := range base.Files {
		want[f.File] = [2]int{f.Runnable, f.Pass}
	}
	for _, p := range results {
		w, ok := want[p.pg.File]
		if !ok {
			continue
		}
		if p.pg.Runnable != w[0] || p.pg.Passed != w[1] {
			t.Errorf("%s: PostgreSQL here ran %d records and passed %d; postgresql15-results.json says %d and %d",
				p.pg.File, p.pg.Runnable, p.pg.Passed, w[0], w[1])
		}
	}
}

// clusterNodes is RANGEDB_SLT_CLUSTER: run rangedb as a cluster of that
// many in-process nodes with every table pre-split (ClusterTarget,
// Options.PreSplit) instead of one node; 0 (unset) is one node.
func clusterNodes(t *testing.T) int {
	v := os.Getenv("RANGEDB_SLT_CLUSTER")
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("RANGEDB_SLT_CLUSTER=%q: want a node count", v)
	}
	return n
}

// rangedbTarget is the rangedb the tests run on: one node, or with
// RANGEDB_SLT_CLUSTER a pre-split cluster.
func rangedbTarget(t *testing.T) run {
	if n := clusterNodes(t); n > 0 {
		return clusterRun(t, n)
	}
	return run{&RangeDBTarget{}, Options{}}
}

// clusterRun is an n-node cluster with every table pre-split
// (RANGEDB_SLT_PRESPLIT=0: none, to tell a cluster's differences from a
// split's); with RANGEDB_SLT_LOGS=FILE the nodes' debug logs go to FILE.
func clusterRun(t *testing.T, n int) run {
	var logger *slog.Logger
	if path := os.Getenv("RANGEDB_SLT_LOGS"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = f.Close() })
		logger = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return run{&ClusterTarget{Nodes: n, Logger: logger}, Options{PreSplit: os.Getenv("RANGEDB_SLT_PRESPLIT") != "0"}}
}

// run is a target and the options to run files on it with.
type run struct {
	target Target
	opts   Options
}

// runBoth runs files on rangedb (rangedbTarget) and PostgreSQL, the two
// side by side.
func runBoth(t *testing.T, dir string, files []string) []pair {
	return runOn(t, dir, files, rangedbTarget(t))[0]
}

// runOn runs each file on PostgreSQL and on each rangedb run at once and
// returns, per run, the pairs of its results and PostgreSQL's.
func runOn(t *testing.T, dir string, files []string, rdb ...run) [][]pair {
	pgs, err := pgtest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := pgs.Stop(); err != nil {
			t.Error(err)
		}
	}()
	pgTarget := &PostgresTarget{AdminURL: pgs.URL("postgres"), URLFor: pgs.URL}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Hour)
	defer cancel()
	out := make([][]pair, len(rdb))
	for i := range out {
		out[i] = make([]pair, len(files))
	}
	for i, f := range files {
		var wg sync.WaitGroup
		var pg *FileResult
		wg.Add(1 + len(rdb))
		go func() { defer wg.Done(); pg = RunFile(ctx, pgTarget, filepath.Join(dir, f), f, Options{}) }()
		for j, r := range rdb {
			go func() { defer wg.Done(); out[j][i].rdb = RunFile(ctx, r.target, filepath.Join(dir, f), f, r.opts) }()
		}
		wg.Wait()
		if pg.Err != nil {
			t.Fatalf("PostgreSQL on %s: %v", f, pg.Err)
		}
		for j, r := range rdb {
			out[j][i].pg = pg
			res := out[j][i].rdb
			if res.Err != nil {
				t.Errorf("%s on %s: %v", r.target.Name(), f, res.Err)
			}
			for _, e := range res.SplitErrors {
				t.Errorf("%s: pre-split failed: %s", r.target.Name(), e)
			}
		}
	}
	return out
}

// difference is one record whose outcome differs from PostgreSQL's.
type difference struct {
	key      string // file:line
	pg, rdb  Outcome
	rdbError string
}

func differences(p pair) []difference {
	pgBy := map[int]RecordResult{}
	for _, r := range p.pg.Records {
		pgBy[r.Line] = r
	}
	var ds []difference
	for _, r := range p.rdb.Records {
		pr, ok := pgBy[r.Line]
		if !ok {
			continue
		}
		if pr.Outcome != r.Outcome {
			ds = append(ds, difference{key: fmt.Sprintf("%s:%d", p.rdb.File, r.Line), pg: pr.Outcome, rdb: r.Outcome, rdbError: r.Detail})
		}
	}
	// Records PostgreSQL ran and rangedb never reached (a halt, a crash).
	rdbBy := map[int]bool{}
	for _, r := range p.rdb.Records {
		rdbBy[r.Line] = true
	}
	for _, r := range p.pg.Records {
		if !rdbBy[r.Line] {
			ds = append(ds, difference{key: fmt.Sprintf("%s:%d", p.pg.File, r.Line), pg: r.Outcome, rdb: "fail:not-run"})
		}
	}
	return ds
}

func sameCount(p pair) int {
	n := p.pg.Runnable
	return n - len(differences(p))
}

func printTable(t *testing.T, results []pair) {
	type agg struct {
		runnable, rdbPass, pgPass, same int
		rdbSec, pgSec                   float64
	}
	byDir := map[string]*agg{}
	var dirs []string
	total := &agg{}
	for _, p := range results {
		d := filepath.Dir(p.rdb.File)
		if d == "." {
			d = p.rdb.File
		}
		a := byDir[d]
		if a == nil {
			a = &agg{}
			byDir[d] = a
			dirs = append(dirs, d)
		}
		for _, x := range []*agg{a, total} {
			x.runnable += p.pg.Runnable
			x.rdbPass += p.rdb.Passed
			x.pgPass += p.pg.Passed
			x.same += sameCount(p)
			x.rdbSec += p.rdb.Seconds
			x.pgSec += p.pg.Seconds
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%-36s %9s %9s %9s %9s %9s %9s\n", "file / folder", "runnable", "rdb pass", "pg pass", "same-pg", "rdb s", "pg s")
	row := func(name string, a *agg) {
		fmt.Fprintf(&sb, "%-36s %9d %9d %9d %9d %9.1f %9.1f\n", name, a.runnable, a.rdbPass, a.pgPass, a.same, a.rdbSec, a.pgSec)
	}
	for _, d := range dirs {
		row(d, byDir[d])
	}
	row("TOTAL", total)
	sb.WriteString("\nper file (rangedb): runnable / passed / skipped / seconds, and failures by reason\n")
	for _, p := range results {
		fmt.Fprintf(&sb, "%-44s %7d %7d %7d %7.1fs", p.rdb.File, p.rdb.Runnable, p.rdb.Passed, p.rdb.Skipped, p.rdb.Seconds)
		if p.rdb.Halted {
			sb.WriteString("  (halted)")
		}
		reasons := make([]string, 0, len(p.rdb.Failed))
		for r, n := range p.rdb.Failed {
			reasons = append(reasons, fmt.Sprintf("%d× %s", n, r))
		}
		sort.Strings(reasons)
		if len(reasons) > 0 {
			sb.WriteString("  " + strings.Join(reasons, "; "))
		}
		sb.WriteString("\n")
	}
	fmt.Println(sb.String())
}

// loadKnown reads KNOWN_DIFFERENCES: "file:line<TAB>pg outcome<TAB>reason".
func loadKnown(t *testing.T) map[string]string {
	f, err := os.Open("KNOWN_DIFFERENCES")
	if err != nil {
		t.Fatalf("KNOWN_DIFFERENCES: %v", err)
	}
	defer f.Close()
	known := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		key, rest, _ := strings.Cut(l, "\t")
		known[key] = rest
	}
	return known
}

// TestSLTSelectAndEvidence holds rangedb to PostgreSQL 15 on select1–5 and
// evidence/: every record must have PostgreSQL's outcome, except those in
// KNOWN_DIFFERENCES.
func TestSLTSelectAndEvidence(t *testing.T) {
	dir := requireCorpus(t)
	results := runBoth(t, dir, makeTestFiles(t, dir))
	printTable(t, results)
	checkBaseline(t, dir, results)
	checkKnown(t, results, true)
	if os.Getenv("RANGEDB_SLT_WRITE_KNOWN") != "" {
		writeKnown(t, results)
	}
}

// checkKnown fails the test on records of results that differ from
// PostgreSQL and are not in KNOWN_DIFFERENCES, and, with all (results
// cover every file KNOWN_DIFFERENCES names), on entries that no longer
// differ.
func checkKnown(t *testing.T, results []pair, all bool) {
	known := loadKnown(t)
	seen := map[string]bool{}
	ran := map[string]bool{}
	var unexpected []string
	for _, p := range results {
		ran[p.rdb.File] = true
		for _, d := range differences(p) {
			seen[d.key] = true
			if _, ok := known[d.key]; !ok {
				unexpected = append(unexpected, fmt.Sprintf("%s\tpostgresql %s\trangedb %s (%s)", d.key, d.pg, d.rdb, d.rdbError))
			}
		}
	}
	var stale []string
	for k := range known {
		file, _, _ := strings.Cut(k, ":")
		if !seen[k] && (all || ran[file]) {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	if len(unexpected) > 0 {
		max := len(unexpected)
		if max > 50 {
			max = 50
		}
		t.Errorf("%d records differ from PostgreSQL and are not in KNOWN_DIFFERENCES (first %d):\n%s", len(unexpected), max, strings.Join(unexpected[:max], "\n"))
	}
	if len(stale) > 0 {
		t.Errorf("%d KNOWN_DIFFERENCES entries now match PostgreSQL: remove them:\n%s", len(stale), strings.Join(stale, "\n"))
	}
}

// writeKnown rewrites KNOWN_DIFFERENCES from a run (used once, by hand,
// when a difference is accepted; the reason column must then be filled).
func writeKnown(t *testing.T, results []pair) {
	old := loadKnown(t)
	var sb strings.Builder
	sb.WriteString("# Records of select1-5.test and evidence/ whose outcome on rangedb differs from\n# PostgreSQL 15's. Columns: file:line, PostgreSQL's outcome, reason.\n# tests/slt fails when a record differs and is not listed here, or when a listed\n# record no longer differs.\n")
	for _, p := range results {
		for _, d := range differences(p) {
			reason := old[d.key]
			if _, r, ok := strings.Cut(reason, "\t"); ok {
				reason = r
			} else {
				reason = fmt.Sprintf("rangedb: %s %s", d.rdb, d.rdbError)
			}
			fmt.Fprintf(&sb, "%s\t%s\t%s\n", d.key, d.pg, strings.ReplaceAll(reason, "\n", " "))
		}
	}
	if err := os.WriteFile("KNOWN_DIFFERENCES", []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestSLTCorpus runs the whole corpus on rangedb and PostgreSQL and prints
// the summary table; it is `make slt`, not part of `make test`. With
// RANGEDB_SLT_CLUSTER (`make slt-cluster`) it runs each file on one node
// and on the pre-split cluster as well, prints both tables, and fails on
// every record whose outcome on the cluster differs from one node's.
func TestSLTCorpus(t *testing.T) {
	if os.Getenv("RANGEDB_SLT_ALL") == "" {
		t.Skip("the whole corpus runs with `make slt` (RANGEDB_SLT_ALL=1)")
	}
	dir := requireCorpus(t)
	n := clusterNodes(t)
	if n == 0 {
		results := runBoth(t, dir, allFiles(t, dir))
		printTable(t, results)
		checkBaseline(t, dir, results)
		return
	}
	res := runOn(t, dir, allFiles(t, dir), run{&RangeDBTarget{}, Options{}}, clusterRun(t, n))
	fmt.Println("one node:")
	printTable(t, res[0])
	fmt.Printf("%d-node cluster, every table pre-split:\n", n)
	printTable(t, res[1])
	printSplits(res[1])
	checkBaseline(t, dir, res[0])
	if ds := clusterDifferences(res[0], res[1]); len(ds) > 0 {
		t.Errorf("%d records have another outcome on the %d-node cluster than on one node:\n%s", len(ds), n, strings.Join(ds, "\n"))
	}
}
