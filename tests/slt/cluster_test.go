package slt

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// clusterSampleFiles are the files TestSLTClusterSample runs: the files
// `make test` holds one node to but select2, select4 and select5: on a
// 2-core machine shared with other tests the cluster takes 15 to 25 times
// one node's time on select1 (20 s) and select3 (90 s), and the sample
// about two minutes and a quarter.
func clusterSampleFiles(t *testing.T, dir string) []string {
	var files []string
	for _, f := range makeTestFiles(t, dir) {
		switch f {
		case "select2.test", "select4.test", "select5.test":
		default:
			files = append(files, f)
		}
	}
	return files
}

// TestSLTClusterSample runs a sample of the files TestSLTSelectAndEvidence
// runs on a 3-node in-process cluster (RF 3) with every table pre-split
// into several ranges after its CREATE TABLE (presplit.go), the files
// served by the nodes in turn. Every record must have the outcome it has
// on one node: PostgreSQL's, except those in KNOWN_DIFFERENCES.
// RANGEDB_SLT_CLUSTER_FILES (comma separated) overrides the sample.
func TestSLTClusterSample(t *testing.T) {
	dir := requireCorpus(t)
	files := clusterSampleFiles(t, dir)
	if f := os.Getenv("RANGEDB_SLT_CLUSTER_FILES"); f != "" {
		files = strings.Split(f, ",")
	}
	results := runOn(t, dir, files, clusterRun(t, 3))[0]
	printTable(t, results)
	printSplits(results)
	checkKnown(t, results, false)
}

// printSplits prints how many tables each file's pre-split made and the
// ranges they spanned.
func printSplits(results []pair) {
	var tables, ranges int
	for _, p := range results {
		tables += p.rdb.SplitTables
		ranges += p.rdb.SplitRanges
	}
	fmt.Printf("pre-split: %d tables, %d ranges in all (SHOW TABLE … REGIONS after each split)\n", tables, ranges)
}

// clusterDifferences compares, file by file, the outcomes of a cluster
// run with those of a one-node run of the same files, and returns the
// records that differ ("file:line one-node … cluster …").
func clusterDifferences(single, cluster []pair) []string {
	var out []string
	for i := range single {
		by := map[int]RecordResult{}
		for _, r := range single[i].rdb.Records {
			by[r.Line] = r
		}
		seen := map[int]bool{}
		for _, r := range cluster[i].rdb.Records {
			seen[r.Line] = true
			s, ok := by[r.Line]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("%s:%d\tone node did not run it\tcluster %s (%s)", cluster[i].rdb.File, r.Line, r.Outcome, r.Detail))
			case s.Outcome != r.Outcome:
				out = append(out, fmt.Sprintf("%s:%d\tone node %s (%s)\tcluster %s (%s)", cluster[i].rdb.File, r.Line, s.Outcome, s.Detail, r.Outcome, r.Detail))
			}
		}
		for _, r := range single[i].rdb.Records {
			if !seen[r.Line] {
				out = append(out, fmt.Sprintf("%s:%d\tone node %s\tcluster did not run it", single[i].rdb.File, r.Line, r.Outcome))
			}
		}
	}
	return out
}
