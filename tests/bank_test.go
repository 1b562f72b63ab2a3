package tests

import (
	"context"
	"errors"
	"fmt"
	randv2 "math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rangedb/rangedb/server"
)

// The bank test: money moves between accounts concurrently and none is
// ever created or lost.
const (
	bankAccounts   = 20
	bankInitial    = 1000
	bankWorkers    = 6
	bankOpsEach    = 150
	bankReaders    = 2
	bankMaxRetries = 100
	bankDeadline   = 2 * time.Minute
)

// bankSeedEnv overrides the base seed, to replay a logged failure.
const bankSeedEnv = "RANGEDB_BANK_SEED"

// transferKind is how one transfer reaches the server.
type transferKind int

const (
	// kindReadCommitted: BEGIN; two UPDATEs; the audit INSERT; COMMIT.
	kindReadCommitted transferKind = iota
	// kindRepeatableRead: the same under BEGIN ISOLATION LEVEL REPEATABLE READ.
	kindRepeatableRead
	// kindImplicit: one UPDATE … CASE … WHERE id IN (src, dst) outside a
	// block; it writes no audit row.
	kindImplicit
	// kindImplicitAudited: that UPDATE and the audit INSERT as one implicit
	// transaction (one query string, or one pipeline ending in one Sync).
	kindImplicitAudited
	numKinds
)

func (k transferKind) String() string {
	return [...]string{"read-committed", "repeatable-read", "implicit", "implicit-audited"}[k]
}

// audited reports whether a committed transfer of this kind leaves a row in
// transfers.
func (k transferKind) audited() bool { return k != kindImplicit }

// transfer is one operation a worker asks for.
type transfer struct {
	id       int64 // transfers.id, unique across the test
	src, dst int
	amount   int64
	kind     transferKind
	simple   [4]bool // per statement: simple protocol (true) or extended
}

// bankWorkerResult is what one worker saw commit.
type bankWorkerResult struct {
	committed int
	retries   int
	maxTries  int // the most attempts one transfer took
	byKind    [numKinds]int
	delta     [bankAccounts + 1]int64 // indexed by account id
	audited   map[int64]transfer
}

const (
	bankTransferSQL = "UPDATE accounts SET balance = balance + CASE WHEN id = $1 THEN -$3 ELSE $3 END WHERE id IN ($1, $2)"
	bankDebitSQL    = "UPDATE accounts SET balance = balance - $1 WHERE id = $2"
	bankCreditSQL   = "UPDATE accounts SET balance = balance + $1 WHERE id = $2"
	bankAuditSQL    = "INSERT INTO transfers (id, src, dst, amount) VALUES ($1, $2, $3, $4)"
	bankSumSQL      = "SELECT sum(balance), count(*) FROM accounts"
)

// TestBankInvariant runs concurrent transfers between accounts — explicit
// blocks under READ COMMITTED and REPEATABLE READ, implicit single
// statements and implicit two-statement transactions, over both the simple
// and the extended protocol — while readers check that every snapshot sums
// to the initial total. A 40001 is rolled back and the transfer retried;
// every transfer must eventually commit. At the end each balance must equal
// its initial value plus the committed transfers' deltas, and the audit
// table must hold exactly the committed audited transfers.
func TestBankInvariant(t *testing.T) {
	baseSeed := uint64(20240601)
	if v := os.Getenv(bankSeedEnv); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", bankSeedEnv, v, err)
		}
		baseSeed = n
	}
	t.Logf("base seed %d (set %s to replay)", baseSeed, bankSeedEnv)

	// A short lock TTL makes the heartbeats of explicit transactions'
	// pessimistic locks matter, and lets a loaded machine see locks
	// resolved as expired: all paths the invariant must survive.
	s := startNode(t, server.Config{LockTTL: 50 * time.Millisecond})
	setup := connect(t, s.URL())
	mustExec(t, setup, "CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)")
	mustExec(t, setup, "CREATE TABLE transfers (id BIGINT PRIMARY KEY, src INT, dst INT, amount INT)")
	for id := 1; id <= bankAccounts; id++ {
		mustExec(t, setup, fmt.Sprintf("INSERT INTO accounts VALUES (%d, %d)", id, bankInitial))
	}
	const total = int64(bankAccounts * bankInitial)

	ctx, cancel := context.WithTimeout(context.Background(), bankDeadline)
	defer cancel()

	// Connections are opened here: connect and connectExt call t.Fatalf,
	// which must not run on another goroutine.
	workerConns := make([]*pgx.Conn, bankWorkers)
	for w := range workerConns {
		workerConns[w] = connectExt(t, s.URL())
	}
	readerConns := make([]*pgx.Conn, bankReaders)
	for r := range readerConns {
		readerConns[r] = connectExt(t, s.URL())
	}

	results := make([]bankWorkerResult, bankWorkers)
	var workers sync.WaitGroup
	for w := 0; w < bankWorkers; w++ {
		seed := baseSeed + uint64(w)
		t.Logf("worker %d seed %d", w, seed)
		workers.Add(1)
		go func(w int) {
			defer workers.Done()
			results[w] = bankWorker(ctx, t, w, seed, workerConns[w])
		}(w)
	}

	done := make(chan struct{})
	readCounts := make([]bankReadCount, bankReaders)
	var readers sync.WaitGroup
	for r := 0; r < bankReaders; r++ {
		seed := baseSeed + 1000 + uint64(r)
		readers.Add(1)
		go func(r int) {
			defer readers.Done()
			readCounts[r] = bankReader(ctx, t, r, seed, readerConns[r], total, done)
		}(r)
	}
	workers.Wait()
	close(done)
	readers.Wait()
	if t.Failed() {
		return
	}

	// Merge what the workers saw commit.
	var (
		committed, retries int
		maxTries           int
		byKind             [numKinds]int
		delta              [bankAccounts + 1]int64
	)
	audited := map[int64]transfer{}
	for _, r := range results {
		committed += r.committed
		retries += r.retries
		maxTries = max(maxTries, r.maxTries)
		for k, n := range r.byKind {
			byKind[k] += n
		}
		for id, d := range r.delta {
			delta[id] += d
		}
		for id, tr := range r.audited {
			audited[id] = tr
		}
	}
	var reads bankReadCount
	for _, rc := range readCounts {
		reads.implicit += rc.implicit
		reads.repeatable += rc.repeatable
		reads.retries += rc.retries
	}
	t.Logf("committed %d transfers (%d retries after 40001 or 40P01, at most %d attempts for one); by kind: %s %d, %s %d, %s %d, %s %d",
		committed, retries, maxTries,
		kindReadCommitted, byKind[kindReadCommitted], kindRepeatableRead, byKind[kindRepeatableRead],
		kindImplicit, byKind[kindImplicit], kindImplicitAudited, byKind[kindImplicitAudited])
	t.Logf("readers: %d implicit sums, %d repeatable-read double sums, %d retries after 40001",
		reads.implicit, reads.repeatable, reads.retries)

	if want := bankWorkers * bankOpsEach; committed != want {
		t.Errorf("committed %d transfers, want %d", committed, want)
	}
	if reads.implicit+reads.repeatable == 0 {
		t.Errorf("the readers completed no read")
	}

	// Every balance is its initial value plus the committed deltas.
	rows, err := setup.Query(ctx, "SELECT id, balance FROM accounts ORDER BY id")
	if err != nil {
		t.Fatalf("final balances: %v", err)
	}
	balances, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		ID      int32
		Balance int64
	}])
	if err != nil {
		t.Fatalf("final balances: %v", err)
	}
	if len(balances) != bankAccounts {
		t.Errorf("%d accounts at the end, want %d", len(balances), bankAccounts)
	}
	var sum int64
	for i, b := range balances {
		sum += b.Balance
		if int(b.ID) != i+1 {
			t.Errorf("row %d is account %d, want %d", i, b.ID, i+1)
			continue
		}
		if want := bankInitial + delta[b.ID]; b.Balance != want {
			t.Errorf("account %d: balance %d, want %d (initial %d + committed delta %d)",
				b.ID, b.Balance, want, bankInitial, delta[b.ID])
		}
	}
	if sum != total {
		t.Errorf("final total %d, want %d", sum, total)
	}

	// The audit table holds exactly the committed audited transfers.
	rows, err = setup.Query(ctx, "SELECT id, src, dst, amount FROM transfers ORDER BY id")
	if err != nil {
		t.Fatalf("audit rows: %v", err)
	}
	auditRows, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
		ID       int64
		Src, Dst int32
		Amount   int32
	}])
	if err != nil {
		t.Fatalf("audit rows: %v", err)
	}
	seen := map[int64]bool{}
	for _, a := range auditRows {
		seen[a.ID] = true
		tr, ok := audited[a.ID]
		if !ok {
			t.Errorf("audit row %d (%d -> %d, %d) belongs to no committed transfer", a.ID, a.Src, a.Dst, a.Amount)
			continue
		}
		if int(a.Src) != tr.src || int(a.Dst) != tr.dst || int64(a.Amount) != tr.amount {
			t.Errorf("audit row %d is (%d -> %d, %d), want (%d -> %d, %d)",
				a.ID, a.Src, a.Dst, a.Amount, tr.src, tr.dst, tr.amount)
		}
	}
	for id, tr := range audited {
		if !seen[id] {
			t.Errorf("committed %s transfer %d (%d -> %d, %d) has no audit row", tr.kind, id, tr.src, tr.dst, tr.amount)
		}
	}
}

// bankWorker runs bankOpsEach transfers on conn, each retried after 40001
// until it commits, and returns what committed. Errors go to t.Errorf; the
// worker stops at its first one.
func bankWorker(ctx context.Context, t *testing.T, w int, seed uint64, conn *pgx.Conn) bankWorkerResult {
	rng := randv2.New(randv2.NewPCG(seed, 0))
	// Backoff jitter comes from its own source, so that the sequence of
	// transfers depends on the seed alone, not on how often one retried.
	jitter := randv2.New(randv2.NewPCG(seed, 1))
	res := bankWorkerResult{audited: map[int64]transfer{}}
	for i := 0; i < bankOpsEach; i++ {
		tr := transfer{
			id:     int64(w*bankOpsEach + i + 1),
			src:    1 + rng.IntN(bankAccounts),
			amount: 1 + rng.Int64N(100),
			kind:   transferKind(rng.IntN(int(numKinds))),
		}
		tr.dst = 1 + rng.IntN(bankAccounts-1)
		if tr.dst >= tr.src {
			tr.dst++
		}
		for j := range tr.simple {
			tr.simple[j] = rng.IntN(2) == 0
		}

		committed := false
		for attempt := 0; attempt < bankMaxRetries; attempt++ {
			err := runTransfer(ctx, conn, tr)
			if err == nil {
				committed = true
				res.maxTries = max(res.maxTries, attempt+1)
				break
			}
			if !isSerializationFailure(err) {
				t.Errorf("worker %d (seed %d) op %d %+v attempt %d: %v", w, seed, i, tr, attempt, err)
				return res
			}
			res.retries++
			// A 40001 ends the transaction at COMMIT but leaves an
			// aborted block after any earlier statement: ROLLBACK covers
			// both (outside a block it is only a warning).
			if tr.kind == kindReadCommitted || tr.kind == kindRepeatableRead {
				if _, err := conn.Exec(ctx, "ROLLBACK", pgx.QueryExecModeSimpleProtocol); err != nil {
					t.Errorf("worker %d (seed %d) op %d: ROLLBACK after 40001: %v", w, seed, i, err)
					return res
				}
			}
			time.Sleep(time.Duration(jitter.IntN(1+attempt)) * time.Millisecond)
		}
		if !committed {
			t.Errorf("worker %d (seed %d) op %d %+v: still 40001 after %d attempts", w, seed, i, tr, bankMaxRetries)
			return res
		}
		res.committed++
		res.byKind[tr.kind]++
		res.delta[tr.src] -= tr.amount
		res.delta[tr.dst] += tr.amount
		if tr.kind.audited() {
			res.audited[tr.id] = tr
		}
	}
	return res
}

// runTransfer makes one attempt at tr. It returns nil only once the
// transfer has committed.
func runTransfer(ctx context.Context, conn *pgx.Conn, tr transfer) error {
	switch tr.kind {
	case kindReadCommitted, kindRepeatableRead:
		begin := "BEGIN"
		if tr.kind == kindRepeatableRead {
			begin = "BEGIN ISOLATION LEVEL REPEATABLE READ"
		}
		if err := execTag(ctx, conn, tr.simple[0], begin, "BEGIN"); err != nil {
			return err
		}
		if err := execTag(ctx, conn, tr.simple[1], bankDebitSQL, "UPDATE 1", tr.amount, tr.src); err != nil {
			return err
		}
		if err := execTag(ctx, conn, tr.simple[2], bankCreditSQL, "UPDATE 1", tr.amount, tr.dst); err != nil {
			return err
		}
		if err := execTag(ctx, conn, tr.simple[3], bankAuditSQL, "INSERT 0 1", tr.id, tr.src, tr.dst, tr.amount); err != nil {
			return err
		}
		// COMMIT of an aborted block answers ROLLBACK without an error;
		// execTag's tag check turns that into a failure.
		return execTag(ctx, conn, tr.simple[0], "COMMIT", "COMMIT")

	case kindImplicit:
		return execTag(ctx, conn, tr.simple[0], bankTransferSQL, "UPDATE 2", tr.src, tr.dst, tr.amount)

	case kindImplicitAudited:
		if tr.simple[0] {
			// One simple-protocol query string is one implicit transaction.
			sql := fmt.Sprintf(
				"UPDATE accounts SET balance = balance + CASE WHEN id = %[1]d THEN -%[3]d ELSE %[3]d END WHERE id IN (%[1]d, %[2]d); "+
					"INSERT INTO transfers (id, src, dst, amount) VALUES (%[4]d, %[1]d, %[2]d, %[3]d)",
				tr.src, tr.dst, tr.amount, tr.id)
			results, err := conn.PgConn().Exec(ctx, sql).ReadAll()
			if err != nil {
				return err
			}
			return checkTags(sql, results, "UPDATE 2", "INSERT 0 1")
		}
		// Extended protocol: pgx pipelines a batch's statements and ends it
		// with one Sync, which commits them together.
		b := &pgx.Batch{}
		b.Queue(bankTransferSQL, tr.src, tr.dst, tr.amount)
		b.Queue(bankAuditSQL, tr.id, tr.src, tr.dst, tr.amount)
		br := conn.SendBatch(ctx, b)
		tag1, err1 := br.Exec()
		tag2, err2 := br.Exec()
		if err := errors.Join(err1, err2, br.Close()); err != nil {
			// Report the first statement error itself, so a 40001 stays
			// recognisable.
			for _, e := range []error{err1, err2} {
				if e != nil {
					return e
				}
			}
			return err
		}
		if tag1.String() != "UPDATE 2" || tag2.String() != "INSERT 0 1" {
			return fmt.Errorf("batch: tags %q, %q, want UPDATE 2, INSERT 0 1", tag1, tag2)
		}
		return nil
	}
	return fmt.Errorf("unknown transfer kind %d", tr.kind)
}

// execTag runs sql over the simple or the extended protocol and requires
// the command tag want.
func execTag(ctx context.Context, conn *pgx.Conn, simple bool, sql, want string, args ...any) error {
	if simple {
		args = append([]any{pgx.QueryExecModeSimpleProtocol}, args...)
	}
	tag, err := conn.Exec(ctx, sql, args...)
	if err != nil {
		return err
	}
	if tag.String() != want {
		return fmt.Errorf("%s: tag %q, want %q", sql, tag, want)
	}
	return nil
}

// checkTags requires each result to be error-free with the matching tag.
func checkTags(sql string, results []*pgconn.Result, want ...string) error {
	if len(results) != len(want) {
		return fmt.Errorf("%s: %d results, want %d", sql, len(results), len(want))
	}
	for i, r := range results {
		if r.Err != nil {
			return r.Err
		}
		if r.CommandTag.String() != want[i] {
			return fmt.Errorf("%s: statement %d tag %q, want %q", sql, i+1, r.CommandTag, want[i])
		}
	}
	return nil
}

// isSerializationFailure reports whether err asks the client to retry the
// transaction: 40001, or 40P01 when two transfers lock the same two
// accounts in opposite orders (PostgreSQL detects the same deadlock).
func isSerializationFailure(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// bankReadCount is how many reads a reader completed.
type bankReadCount struct {
	implicit, repeatable, retries int
}

// bankReader sums the balances until done is closed: alone (an implicit
// transaction) and twice within one REPEATABLE READ block, over either
// protocol. Every sum must be total over bankAccounts rows, and the two
// sums of a block must agree. Errors go to t.Errorf; the reader stops at
// its first one.
func bankReader(ctx context.Context, t *testing.T, r int, seed uint64, conn *pgx.Conn, total int64, done <-chan struct{}) bankReadCount {
	rng := randv2.New(randv2.NewPCG(seed, 0))
	var rc bankReadCount
	for {
		select {
		case <-done:
			return rc
		default:
		}
		simple := rng.IntN(2) == 0
		if rng.IntN(2) == 0 {
			sum, count, err := readSum(ctx, conn, simple)
			if isSerializationFailure(err) {
				rc.retries++
				continue
			}
			if err != nil {
				t.Errorf("reader %d: %s: %v", r, bankSumSQL, err)
				return rc
			}
			if sum != total || count != bankAccounts {
				t.Errorf("reader %d: implicit read saw sum %d over %d accounts, want %d over %d",
					r, sum, count, total, bankAccounts)
				return rc
			}
			rc.implicit++
			continue
		}

		err := func() error {
			if err := execTag(ctx, conn, simple, "BEGIN ISOLATION LEVEL REPEATABLE READ", "BEGIN"); err != nil {
				return err
			}
			sum1, count1, err := readSum(ctx, conn, simple)
			if err != nil {
				return err
			}
			sum2, count2, err := readSum(ctx, conn, !simple)
			if err != nil {
				return err
			}
			if err := execTag(ctx, conn, simple, "COMMIT", "COMMIT"); err != nil {
				return err
			}
			if sum1 != total || count1 != bankAccounts || sum2 != total || count2 != bankAccounts {
				return fmt.Errorf("repeatable read block saw sums %d over %d and %d over %d accounts, want %d over %d",
					sum1, count1, sum2, count2, total, bankAccounts)
			}
			return nil
		}()
		if isSerializationFailure(err) {
			rc.retries++
			if _, err := conn.Exec(ctx, "ROLLBACK", pgx.QueryExecModeSimpleProtocol); err != nil {
				t.Errorf("reader %d: ROLLBACK after 40001: %v", r, err)
				return rc
			}
			continue
		}
		if err != nil {
			t.Errorf("reader %d: %v", r, err)
			return rc
		}
		rc.repeatable++
	}
}

// readSum runs bankSumSQL.
func readSum(ctx context.Context, conn *pgx.Conn, simple bool) (sum, count int64, err error) {
	var args []any
	if simple {
		args = []any{pgx.QueryExecModeSimpleProtocol}
	}
	err = conn.QueryRow(ctx, bankSumSQL, args...).Scan(&sum, &count)
	return sum, count, err
}
