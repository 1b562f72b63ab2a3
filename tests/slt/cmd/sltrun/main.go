// Command sltrun runs SQL logic test files against any server that speaks
// the PostgreSQL wire protocol and has CREATE DATABASE (PostgreSQL itself,
// or a rangedb once it has one), and prints the per-file report:
//
//	go run ./tests/slt/cmd/sltrun -url postgresql://postgres@127.0.0.1:5432/postgres FILE...
//
// Each file runs in a new database created through -url; records are
// judged with the engine label "postgresql". FILE paths are read as given.
// To compare rangedb with PostgreSQL use `make slt` (tests/slt).
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/rangedb/rangedb/tests/slt"
)

func main() {
	admin := flag.String("url", "", "URL of a database to run CREATE DATABASE from")
	flag.Parse()
	if *admin == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: sltrun -url postgresql://… FILE...")
		os.Exit(2)
	}
	u, err := url.Parse(*admin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	target := &slt.PostgresTarget{
		Label:    u.Host,
		AdminURL: *admin,
		URLFor: func(db string) string {
			v := *u
			v.Path = "/" + db
			return v.String()
		},
	}
	ctx := context.Background()
	failed := false
	for _, f := range flag.Args() {
		r := slt.RunFile(ctx, target, f, f, slt.Options{})
		if r.Err != nil {
			fmt.Printf("%s: %v\n", f, r.Err)
			failed = true
			continue
		}
		reasons := make([]string, 0, len(r.Failed))
		for k, n := range r.Failed {
			reasons = append(reasons, fmt.Sprintf("%d× %s", n, k))
		}
		sort.Strings(reasons)
		fmt.Printf("%s: runnable %d, passed %d, skipped %d, %.1fs %s\n", f, r.Runnable, r.Passed, r.Skipped, r.Seconds, strings.Join(reasons, "; "))
	}
	if failed {
		os.Exit(1)
	}
}
