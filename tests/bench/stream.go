package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

var streamRows = flag.Int("stream-rows", 1000000, "rows in the table the streaming SELECT reads (0 skips the stream)")

const (
	// fillBatch is the rows per INSERT statement that fills the stream
	// table: each statement is one transaction, well inside rangedb's
	// bounded write buffer (kv.DBOptions.MaxTxnBytes).
	fillBatch = 2000
	// heapSampleEvery is how many streamed rows pass between heap samples.
	heapSampleEvery = 50000
	// fillPad makes each row's s column 56 bytes, so a row's values are
	// 64 bytes in pgx's binary format (two INT4s and the text).
	fillPad = "-abcdefghijklmnopqrstuvwxyz0123456789-abcd"
)

// streamResult is the stream workload's measurements on one target.
type streamResult struct {
	fill    time.Duration // filling the table
	elapsed time.Duration // SELECT * FROM big, first byte sent to last row read
	rows    int64
	bytes   int64 // sum of the rows' value sizes as received

	// Heap figures, only for the in-process rangedb (sampled).
	sampled    bool
	heapBase   uint64        // live heap after runtime.GC() just before the query
	heapPeak   uint64        // largest live heap seen while streaming
	sampleTime time.Duration // time spent in runtime.GC and ReadMemStats
	samples    int
}

func (r streamResult) fillString() string {
	return fmt.Sprintf("%8.1fs  %9.0f rows/s", r.fill.Seconds(), float64(r.rows)/r.fill.Seconds())
}

func (r streamResult) String() string {
	return fmt.Sprintf("%8.2fs  %9.0f rows/s  %7.1f MB/s", r.elapsed.Seconds(), float64(r.rows)/r.elapsed.Seconds(), mb(r.bytes)/r.elapsed.Seconds())
}

// heapGrowth is the peak live heap during the stream minus the live heap
// before it, in bytes; it may be negative.
func (r streamResult) heapGrowth() int64 { return int64(r.heapPeak) - int64(r.heapBase) }

func mb[T int64 | uint64](n T) float64 { return float64(n) / (1 << 20) }

// stream fills big with *streamRows rows, then reads all of them with
// SELECT * FROM big from one pgx client. With sample it also samples the
// process's live heap (runtime.GC then runtime.ReadMemStats) every
// heapSampleEvery rows, which measures the in-process rangedb server (and
// the pgx client, whose RawValues reuse one buffer per row); the time spent
// sampling is left out of elapsed.
func stream(ctx context.Context, url string, sample bool) (streamResult, error) {
	return streamTable(ctx, url, "big", *streamRows, 0, sample)
}

// streamTable is stream on table, of n rows; with regions > 0 the table
// is split into that many ranges (SPLIT TABLE … BETWEEN (0) AND (n)
// REGIONS regions) before it is filled.
func streamTable(ctx context.Context, url, table string, n, regions int, sample bool) (streamResult, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return streamResult{}, err
	}
	defer c.Close(ctx)
	var r streamResult
	if r.fill, err = fill(ctx, c, table, n, regions); err != nil {
		return streamResult{}, fmt.Errorf("fill: %w", err)
	}
	r.sampled = sample
	var ms runtime.MemStats
	heap := func() uint64 {
		t0 := time.Now()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		r.sampleTime += time.Since(t0)
		r.samples++
		return ms.HeapAlloc
	}
	if sample {
		r.heapBase = heap()
		r.heapPeak = r.heapBase
		r.sampleTime, r.samples = 0, 0
	}
	start := time.Now()
	rows, err := c.Query(ctx, "SELECT * FROM "+table)
	if err != nil {
		return streamResult{}, err
	}
	for rows.Next() {
		for _, v := range rows.RawValues() {
			r.bytes += int64(len(v))
		}
		r.rows++
		if sample && r.rows%heapSampleEvery == 0 {
			r.heapPeak = max(r.heapPeak, heap())
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return streamResult{}, err
	}
	if sample {
		r.heapPeak = max(r.heapPeak, heap())
	}
	r.elapsed = time.Since(start) - r.sampleTime
	if r.rows != int64(n) {
		return streamResult{}, fmt.Errorf("SELECT * FROM %s returned %d rows, want %d", table, r.rows, n)
	}
	return r, nil
}

// fill creates table, splits it into regions ranges (none when 0) and
// inserts n rows, fillBatch to a statement.
func fill(ctx context.Context, c *pgx.Conn, table string, n, regions int) (time.Duration, error) {
	if _, err := c.Exec(ctx, "CREATE TABLE "+table+" (pk INT PRIMARY KEY, v INT, s TEXT)"); err != nil {
		return 0, err
	}
	if err := split(ctx, c, table, n, regions); err != nil {
		return 0, err
	}
	start := time.Now()
	var b strings.Builder
	for lo := 0; lo < n; lo += fillBatch {
		b.Reset()
		b.WriteString("INSERT INTO " + table + " VALUES ")
		for k := lo; k < lo+fillBatch && k < n; k++ {
			if k > lo {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %d, 'row-%010d%s')", k, k%1000, k, fillPad)
		}
		if _, err := c.Exec(ctx, b.String()); err != nil {
			return 0, fmt.Errorf("rows %d..: %w", lo, err)
		}
	}
	return time.Since(start), nil
}

// printStream prints the fill and stream figures of both targets.
func printStream(r, p streamResult) {
	n := count(*streamRows)
	fmt.Printf("fill %s rows (multi-row INSERT, %d rows per statement, 1 client)\n  rangedb     %s\n  postgresql  %s\n  ratio rangedb/postgresql: time %.2f\n\n",
		n, fillBatch, r.fillString(), p.fillString(), r.fill.Seconds()/p.fill.Seconds())
	fmt.Printf("stream %s rows (SELECT * FROM big, 1 client, %.1f MB of values)\n  rangedb     %s\n  postgresql  %s\n  ratio rangedb/postgresql: time %.2f\n",
		n, mb(r.bytes), r, p, r.elapsed.Seconds()/p.elapsed.Seconds())
	fmt.Printf("  rangedb heap: result %.1f MB, peak live heap growth %.1f MB (%.1f → %.1f MB), growth/result %.3f\n",
		mb(r.bytes), float64(r.heapGrowth())/(1<<20), mb(r.heapBase), mb(r.heapPeak), float64(r.heapGrowth())/float64(r.bytes))
	fmt.Printf("  (heap sampled %d times, every %d rows, with runtime.GC; %.2fs of sampling left out of rangedb's time)\n\n",
		r.samples, heapSampleEvery, r.sampleTime.Seconds())
}

// count writes n as 1M, 250k or 1234.
func count(n int) string {
	switch {
	case n%1000000 == 0:
		return fmt.Sprintf("%dM", n/1000000)
	case n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}
