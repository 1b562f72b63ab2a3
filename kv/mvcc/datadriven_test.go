package mvcc

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// TestDataDriven runs the scenarios in testdata/, each on a fresh in-memory
// store. Writes follow raftstore's pattern: EvalWrite reads an indexed
// batch and writes a separate batch, which is applied only on success; the
// harness fails the test if a failed request wrote anything.
//
// Timestamps are written N (physical millis N, logical 0) or N.L.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		if strings.Contains(path, "testdata/fuzz/") {
			return // the fuzzers' corpora (fuzz_test.go)
		}
		db, err := Open("", vfs.NewMem(), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			if d.Cmd == "dump" {
				return dump(t, db)
			}
			req := parseRequest(t, d)
			if !req.IsWrite() {
				resp, err := EvalRead(db, req)
				return formatResult(resp, err)
			}
			ib := db.NewIndexedBatch()
			defer ib.Close()
			w := db.NewBatch()
			defer w.Close()
			resp, err := EvalWrite(ib, w, req)
			if err != nil {
				if w.Count() != 0 || !w.Empty() {
					t.Fatalf("%s: EvalWrite failed with %v but wrote %d records", d.Pos, err, w.Count())
				}
				return formatResult(nil, err)
			}
			if err := ib.Apply(w, nil); err != nil {
				t.Fatal(err)
			}
			if err := ib.Commit(pebble.Sync); err != nil {
				t.Fatal(err)
			}
			return formatResult(resp, nil)
		})
	})
}

var mutationRE = regexp.MustCompile(`^(put|del|insert|lock|shared)\(([^,()]*)(?:,([^()]*))?\)$`)

// mutationArgs reads the put(k,v) del(k) insert(k,v) lock(k) shared(k)
// arguments.
func mutationArgs(d *datadriven.TestData) []kvpb.Mutation {
	var muts []kvpb.Mutation
	for _, a := range d.CmdArgs {
		m := mutationRE.FindStringSubmatch(a.Key)
		if m == nil {
			continue
		}
		mut := kvpb.Mutation{Key: kvpb.Key(m[2]), Value: []byte(m[3])}
		switch m[1] {
		case "put":
			mut.Op = kvpb.OpPut
		case "del":
			mut.Op, mut.Value = kvpb.OpDelete, nil
		case "insert":
			mut.Op = kvpb.OpInsert
		case "lock":
			mut.Op, mut.Value = kvpb.OpLock, nil
		case "shared":
			mut.Op, mut.Value = kvpb.OpSharedLock, nil
		}
		muts = append(muts, mut)
	}
	return muts
}

func parseRequest(t *testing.T, d *datadriven.TestData) kvpb.Request {
	t.Helper()
	switch d.Cmd {
	case "prewrite":
		return &kvpb.PrewriteRequest{
			StartTs:   tsArg(t, d, "start"),
			Primary:   kvpb.Key(strArg(t, d, "primary")),
			LockTTL:   uint64(intArg(t, d, "ttl", 0)),
			Mutations: mutationArgs(d),
		}
	case "one-pc":
		return &kvpb.OnePCRequest{StartTs: tsArg(t, d, "start"), CommitTs: tsArg(t, d, "commit"), Mutations: mutationArgs(d)}
	case "lock-pessimistic":
		return &kvpb.PessimisticLockRequest{StartTs: tsArg(t, d, "start"), ForUpdateTs: tsArg(t, d, "for-update"),
			Primary: kvpb.Key(strArg(t, d, "primary")), LockTTL: uint64(intArg(t, d, "ttl", 0)), Keys: keysArg(t, d)}
	case "heartbeat":
		return &kvpb.TxnHeartBeatRequest{Primary: kvpb.Key(strArg(t, d, "primary")), StartTs: tsArg(t, d, "start"), TTL: uint64(intArg(t, d, "ttl", 0))}
	case "commit":
		return &kvpb.CommitRequest{StartTs: tsArg(t, d, "start"), CommitTs: tsArg(t, d, "commit"), Keys: keysArg(t, d)}
	case "rollback":
		return &kvpb.RollbackRequest{StartTs: tsArg(t, d, "start"), Keys: keysArg(t, d)}
	case "resolve":
		return &kvpb.ResolveLockRequest{StartTs: tsArg(t, d, "start"), CommitTs: tsArg(t, d, "commit"), Keys: keysArg(t, d)}
	case "check-txn-status":
		return &kvpb.CheckTxnStatusRequest{Primary: kvpb.Key(strArg(t, d, "primary")), StartTs: tsArg(t, d, "start"), CurrentTs: tsArg(t, d, "now")}
	case "get":
		return &kvpb.GetRequest{Key: kvpb.Key(strArg(t, d, "k")), Ts: tsArg(t, d, "ts")}
	case "scan":
		req := &kvpb.ScanRequest{
			Span:     kvpb.Span{Key: kvpb.Key(strArg(t, d, "start")), EndKey: kvpb.Key(optStrArg(d, "end", ""))},
			Ts:       tsArg(t, d, "ts"),
			MaxKeys:  intArg(t, d, "max", 0),
			MaxBytes: intArg(t, d, "max-bytes", 0),
			Reverse:  d.HasArg("reverse"),
		}
		return req
	case "raw-get":
		return &kvpb.RawGetRequest{Key: kvpb.Key(strArg(t, d, "k"))}
	case "raw-put":
		return &kvpb.RawPutRequest{Key: kvpb.Key(strArg(t, d, "k")), Value: []byte(strArg(t, d, "v"))}
	case "raw-cput":
		req := &kvpb.RawCPutRequest{Key: kvpb.Key(strArg(t, d, "k")), Value: []byte(strArg(t, d, "v"))}
		if d.HasArg("exp") {
			req.Expected, req.ExpectedExists = []byte(strArg(t, d, "exp")), true
		}
		return req
	case "incr":
		return &kvpb.IncrementRequest{Key: kvpb.Key(strArg(t, d, "k")), Inc: intArg(t, d, "by", 1)}
	case "raw-del":
		return &kvpb.RawDeleteRequest{Key: kvpb.Key(strArg(t, d, "k"))}
	case "clear-range":
		return &kvpb.ClearRangeRequest{Span: kvpb.Span{Key: kvpb.Key(strArg(t, d, "start")), EndKey: kvpb.Key(optStrArg(d, "end", ""))}}
	}
	d.Fatalf(t, "unknown command %q", d.Cmd)
	return nil
}

func optStrArg(d *datadriven.TestData, name, def string) string {
	for _, a := range d.CmdArgs {
		if a.Key == name {
			return strings.Join(a.Vals, ",")
		}
	}
	return def
}

func strArg(t *testing.T, d *datadriven.TestData, name string) string {
	t.Helper()
	if !d.HasArg(name) {
		d.Fatalf(t, "missing argument %s", name)
	}
	return optStrArg(d, name, "")
}

func intArg(t *testing.T, d *datadriven.TestData, name string, def int64) int64 {
	t.Helper()
	if !d.HasArg(name) {
		return def
	}
	n, err := strconv.ParseInt(optStrArg(d, name, ""), 10, 64)
	if err != nil {
		d.Fatalf(t, "%s: %v", name, err)
	}
	return n
}

func keysArg(t *testing.T, d *datadriven.TestData) []kvpb.Key {
	var ks []kvpb.Key
	for _, s := range strings.Split(strArg(t, d, "keys"), ",") {
		ks = append(ks, kvpb.Key(strings.TrimSpace(s)))
	}
	return ks
}

// tsArg parses N (physical millis) or N.L (physical.logical).
func tsArg(t *testing.T, d *datadriven.TestData, name string) kvpb.Timestamp {
	t.Helper()
	ts, err := parseTs(strArg(t, d, name))
	if err != nil {
		d.Fatalf(t, "%s: %v", name, err)
	}
	return ts
}

func parseTs(s string) (kvpb.Timestamp, error) {
	phys, logical, _ := strings.Cut(s, ".")
	p, err := strconv.ParseInt(phys, 10, 64)
	if err != nil {
		return 0, err
	}
	var l uint64
	if logical != "" {
		if l, err = strconv.ParseUint(logical, 10, 32); err != nil {
			return 0, err
		}
	}
	return kvpb.MakeTimestamp(p, uint32(l)), nil
}

func fmtTs(ts kvpb.Timestamp) string {
	if ts.Logical() == 0 {
		return strconv.FormatInt(ts.Physical(), 10)
	}
	return fmt.Sprintf("%d.%d", ts.Physical(), ts.Logical())
}

func formatResult(resp kvpb.Response, err error) string {
	if err != nil {
		var target *kvpb.KeyLockedError
		if errors.As(err, &target) {
			l := target.Lock
			return fmt.Sprintf("error: %T: %v\n  lock: key=%s primary=%s start=%s ttl=%d op=%s\n",
				err, err, l.Key, l.Primary, fmtTs(l.StartTs), l.TTL, l.Op)
		}
		return fmt.Sprintf("error: %T: %v\n", err, err)
	}
	var sb strings.Builder
	switch r := resp.(type) {
	case *kvpb.GetResponse:
		if !r.Found {
			return "<not found>\n"
		}
		fmt.Fprintf(&sb, "%s @%s\n", r.Value, fmtTs(r.Ts))
	case *kvpb.ScanResponse:
		if len(r.Rows) == 0 {
			sb.WriteString("<no rows>\n")
		}
		for _, kv := range r.Rows {
			fmt.Fprintf(&sb, "%s=%s @%s\n", kv.Key, kv.Value, fmtTs(kv.Ts))
		}
		if r.ResumeSpan != nil {
			fmt.Fprintf(&sb, "resume: [%s, %s)\n", r.ResumeSpan.Key, r.ResumeSpan.EndKey)
		}
	case *kvpb.CheckTxnStatusResponse:
		fmt.Fprintf(&sb, "status=%s", r.Status)
		if r.Status == kvpb.TxnStatusCommitted {
			fmt.Fprintf(&sb, " commit=%s", fmtTs(r.CommitTs))
		}
		if r.Status == kvpb.TxnStatusLocked {
			fmt.Fprintf(&sb, " ttl=%d", r.LockTTL)
		}
		sb.WriteString("\n")
	case *kvpb.RawGetResponse:
		if !r.Found {
			return "<not found>\n"
		}
		fmt.Fprintf(&sb, "%s\n", printable(r.Value))
	case *kvpb.IncrementResponse:
		fmt.Fprintf(&sb, "new=%d\n", r.NewValue)
	default:
		sb.WriteString("ok\n")
	}
	return sb.String()
}

// printable renders a value as text when it is printable ASCII, else hex.
func printable(b []byte) string {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("0x%x", b)
		}
	}
	return string(b)
}

// dump prints every engine key of db, decoded, in engine order.
func dump(t *testing.T, db *pebble.DB) string {
	it, err := db.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var sb strings.Builder
	for valid := it.First(); valid; valid = it.Next() {
		k, ts, err := DecodeKey(it.Key())
		if err != nil {
			t.Fatal(err)
		}
		v := it.Value()
		switch {
		case ts != 0:
			rec, err := decodeWriteRecord(v)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sb, "%s@%s: %s start=%s", k, fmtTs(ts), rec.kind, fmtTs(rec.startTs))
			if rec.kind == writePut {
				fmt.Fprintf(&sb, " value=%s", printable(rec.value))
			}
		case strings.HasPrefix(string(k), string(kvpb.LockPrefix)):
			uk, _ := kvpb.DecodeLockKey(k)
			l, err := decodeLockRecord(v)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sb, "lock %s: %s primary=%s start=%s ttl=%d", uk, l.op, l.primary, fmtTs(l.startTs), l.ttl)
			if l.value != nil {
				fmt.Fprintf(&sb, " value=%s", printable(l.value))
			}
		default:
			raw, err := decodeRawValue(v)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sb, "raw %s: %s", k, printable(raw))
		}
		sb.WriteString("\n")
	}
	if sb.Len() == 0 {
		return "<empty>\n"
	}
	return sb.String()
}
