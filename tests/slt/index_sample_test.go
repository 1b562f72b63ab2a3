package slt

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestSLTIndexSample runs one file of each index/ directory of the corpus
// (RANGEDB_SLT_INDEX=1; files listed in RANGEDB_SLT_INDEX_FILES, comma
// separated, override the sample) on rangedb and PostgreSQL and prints
// the table and the differing records.
func TestSLTIndexSample(t *testing.T) {
	if os.Getenv("RANGEDB_SLT_INDEX") == "" {
		t.Skip("RANGEDB_SLT_INDEX=1 runs a sample of index/")
	}
	dir := requireCorpus(t)
	files := []string{
		"index/between/10/slt_good_1.test", "index/commute/10/slt_good_0.test", "index/delete/10/slt_good_0.test",
		"index/in/10/slt_good_3.test", "index/orderby/10/slt_good_0.test", "index/orderby_nosort/10/slt_good_0.test",
		"index/random/10/slt_good_0.test", "index/between/1000/slt_good_0.test", "index/commute/100/slt_good_0.test",
		"index/delete/100/slt_good_0.test", "index/random/100/slt_good_0.test", "index/random/1000/slt_good_0.test",
	}
	if f := os.Getenv("RANGEDB_SLT_INDEX_FILES"); f != "" {
		files = strings.Split(f, ",")
	}
	results := runBoth(t, dir, files)
	printTable(t, results)
	n := 0
	for _, p := range results {
		for _, d := range differences(p) {
			if n++; n <= 40 {
				fmt.Printf("%s\tpostgresql %s\trangedb %s (%s)\n", d.key, d.pg, d.rdb, d.rdbError)
			}
		}
	}
	if n > 0 {
		t.Errorf("%d records differ", n)
	}
}
