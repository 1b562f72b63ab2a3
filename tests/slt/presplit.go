package slt

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Pre-splitting (Options.PreSplit): after each CREATE TABLE a file runs
// successfully, the runner splits the new table's primary index into
// several ranges with SPLIT TABLE … BY, so that the file's inserts,
// updates, deletes and queries cross range boundaries (kv.DistSender
// divides their batches by range). The corpus's tables have one of two
// keys:
//
//   - an INTEGER PRIMARY KEY (index/: pk 0…n-1 for n up to 1000): split
//     at 2, 5, 50 and 500, so a table of any of the corpus's sizes spans
//     several ranges (3 to 5);
//   - no primary key, so the hidden rowid, whose unique_rowid() values
//     are milliseconds since 2020 shifted left by 22 bits (sql/rowid.go):
//     split at the rowids of now + 50, 150, 400 and 1000 ms, so rows
//     inserted over the next second land in successive ranges (select1–5
//     insert their 30 rows in about that time on a cluster). Which range
//     a row lands in then depends on timing; the outcome of a record must
//     not.
//
// More ranges cost every full scan a request per range: with 14 ranges a
// table, select3 took 60 times its one-node time on a loaded machine.
//
// A failed split is a product bug, not a test outcome: it is recorded in
// FileResult.SplitErrors and the file's records go on.

var createTableRE = regexp.MustCompile(`(?is)^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?("[^"]+"|[A-Za-z_][A-Za-z0-9_.]*)\s*(.*)$`)

var primaryKeyRE = regexp.MustCompile(`(?i)\bPRIMARY\s+KEY\b`)

// intKeySplits are the split points of a table with a primary key.
var intKeySplits = []int64{2, 5, 50, 500}

// rowIDSplitOffsets are the split points of a rowid table, in
// milliseconds after the CREATE TABLE.
var rowIDSplitOffsets = []int64{50, 150, 400, 1000}

// rowIDEpochMs and rowIDShift mirror sql/rowid.go's unique_rowid() layout.
var rowIDEpochMs = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

const rowIDShift = 22

// splitStatement returns the SPLIT TABLE statement for a CREATE TABLE's
// table, or "" when sql is no CREATE TABLE (CREATE TABLE … AS has a rowid
// key, as a table without a primary key).
func splitStatement(sql string, now time.Time) (table, stmt string) {
	m := createTableRE.FindStringSubmatch(sql)
	if m == nil {
		return "", ""
	}
	table = m[1]
	var vals []string
	if primaryKeyRE.MatchString(m[2]) {
		for _, v := range intKeySplits {
			vals = append(vals, fmt.Sprintf("(%d)", v))
		}
	} else {
		base := now.UnixMilli() - rowIDEpochMs
		for _, off := range rowIDSplitOffsets {
			vals = append(vals, fmt.Sprintf("(%d)", (base+off)<<rowIDShift))
		}
	}
	return table, "SPLIT TABLE " + table + " BY " + strings.Join(vals, ", ")
}

// preSplit splits the table sql created, if it created one, and returns
// the number of ranges SHOW TABLE … REGIONS then lists for it.
func preSplit(ctx context.Context, conn *pgx.Conn, sql string) (table string, ranges int, err error) {
	table, stmt := splitStatement(sql, time.Now())
	if stmt == "" {
		return "", 0, nil
	}
	// The split runs on the file's connection (the corpus opens no
	// transactions; SPLIT is not transactional anyway).
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return table, 0, fmt.Errorf("%s: %w", stmt, err)
	}
	rows, err := conn.Query(ctx, "SHOW TABLE "+table+" REGIONS")
	if err != nil {
		return table, 0, fmt.Errorf("SHOW TABLE %s REGIONS: %w", table, err)
	}
	for rows.Next() {
		ranges++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return table, 0, fmt.Errorf("SHOW TABLE %s REGIONS: %w", table, err)
	}
	return table, ranges, nil
}
