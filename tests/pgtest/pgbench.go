package pgtest

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file runs PostgreSQL's own pgbench, unmodified, against a server
// (rangedb or PostgreSQL), for the tests that check it runs without
// errors and leaves its tables consistent.

// Pgbench runs pgbench with args against the database at url, bounded by
// ctx, and returns its combined output. pgbench missing is an error
// saying what to install.
func Pgbench(ctx context.Context, url string, args ...string) (string, error) {
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		return "", fmt.Errorf("pgbench is not installed: run `make deps` (apt-get install -y postgresql, which has pgbench)")
	}
	cmd := exec.CommandContext(ctx, bin, append(args, url)...)
	cmd.Env = append(cmd.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("pgbench %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

var failedRe = regexp.MustCompile(`number of failed transactions: (\d+)`)
var processedRe = regexp.MustCompile(`number of transactions actually processed: (\d+)`)

// PgbenchRun is one timed pgbench run's result.
type PgbenchRun struct {
	Processed, Failed int
	Output            string
}

// RunPgbench runs a timed pgbench (args include -T or -t) and parses its
// summary; output lines with "error" (an aborted client) are an error.
func RunPgbench(ctx context.Context, url string, args ...string) (PgbenchRun, error) {
	out, err := Pgbench(ctx, url, args...)
	r := PgbenchRun{Output: out}
	if err != nil {
		return r, err
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(strings.ToLower(line), "error") {
			return r, fmt.Errorf("pgbench %s reported an error: %s\n%s", strings.Join(args, " "), line, out)
		}
	}
	m := processedRe.FindStringSubmatch(out)
	f := failedRe.FindStringSubmatch(out)
	if m == nil || f == nil {
		return r, fmt.Errorf("pgbench %s: no summary in its output:\n%s", strings.Join(args, " "), out)
	}
	r.Processed, _ = strconv.Atoi(m[1])
	r.Failed, _ = strconv.Atoi(f[1])
	return r, nil
}

// CheckPgbenchBalances checks TPC-B's invariant on pgbench's tables: the
// sums of the accounts', tellers' and branches' balances and of the
// history's deltas are equal. With tpcbOnly unset (simple-update ran
// too, which moves only accounts and history) it checks accounts
// against history and tellers against branches.
func CheckPgbenchBalances(ctx context.Context, url string, tpcbOnly bool) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var a, b, t, h int64
	err = conn.QueryRow(ctx, `SELECT (SELECT coalesce(sum(abalance), 0) FROM pgbench_accounts),
		(SELECT coalesce(sum(bbalance), 0) FROM pgbench_branches),
		(SELECT coalesce(sum(tbalance), 0) FROM pgbench_tellers),
		(SELECT coalesce(sum(delta), 0) FROM pgbench_history)`).Scan(&a, &b, &t, &h)
	if err != nil {
		return err
	}
	if a != h || b != t || (tpcbOnly && a != b) {
		return fmt.Errorf("pgbench balances disagree: accounts %d, branches %d, tellers %d, history %d", a, b, t, h)
	}
	return nil
}
