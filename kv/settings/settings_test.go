package settings

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// memSender is a kv.Sender over a map of raw values: RawGet, RawPut,
// RawDelete and RawScan, enough for Values.
type memSender struct {
	mu   sync.Mutex
	vals map[string][]byte
	// fail, if set, fails every batch.
	fail error
}

func newMemSender() *memSender { return &memSender{vals: make(map[string][]byte)} }

func (m *memSender) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	br := &kvpb.BatchResponse{}
	for _, req := range ba.Requests {
		switch r := req.(type) {
		case *kvpb.RawGetRequest:
			v, ok := m.vals[string(r.Key)]
			br.Responses = append(br.Responses, &kvpb.RawGetResponse{Value: v, Found: ok})
		case *kvpb.RawPutRequest:
			m.vals[string(r.Key)] = append([]byte(nil), r.Value...)
			br.Responses = append(br.Responses, &kvpb.RawPutResponse{})
		case *kvpb.RawDeleteRequest:
			delete(m.vals, string(r.Key))
			br.Responses = append(br.Responses, &kvpb.RawDeleteResponse{})
		case *kvpb.RawScanRequest:
			var keys []string
			for k := range m.vals {
				if bytes.Compare([]byte(k), r.Span.Key) >= 0 && bytes.Compare([]byte(k), r.Span.EndKey) < 0 {
					keys = append(keys, k)
				}
			}
			sort.Strings(keys)
			resp := &kvpb.RawScanResponse{}
			for _, k := range keys {
				resp.Rows = append(resp.Rows, kvpb.KeyValue{Key: kvpb.Key(k), Value: m.vals[k]})
			}
			br.Responses = append(br.Responses, resp)
		default:
			return nil, errors.New("memSender: unsupported " + req.Method().String())
		}
	}
	return br, nil
}

func newDB(m *memSender) *kv.DB { return kv.NewDB(m, nil, kv.DBOptions{}) }

// TestParse: every kind's accepted spellings and canonical forms, bounds,
// and rejected values.
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string // want "" means invalid
	}{
		{"range_max_bytes", "64MiB", "64 MiB"},
		{"range_max_bytes", "512 KiB", "512 KiB"},
		{"range_max_bytes", "1048576", "1 MiB"},
		{"range_max_bytes", "64MB", "64 MiB"},
		{"range_max_bytes", "128kb", "128 KiB"},
		{"range_max_bytes", "1.5 MiB", "1536 KiB"},
		{"range_max_bytes", "1000", ""}, // below 1 KiB
		{"range_max_bytes", "1025", "1025 B"},
		{"range_max_bytes", "8GiB", "8 GiB"},
		{"range_max_bytes", "9GiB", ""},
		{"range_max_bytes", "-1", ""},
		{"range_max_bytes", "64 parsecs", ""},
		{"range_max_bytes", "", ""},
		{"range_min_bytes", "0", "0 B"},
		{"range_min_bytes", "1000", "1000 B"},
		{"replication_factor", "5", "5"},
		{"replication_factor", " 1 ", "1"},
		{"replication_factor", "0", ""},
		{"replication_factor", "8", ""},
		{"replication_factor", "3.5", ""},
		{"server.time_until_store_dead", "5m", "5m0s"},
		{"server.time_until_store_dead", "30s", "30s"},
		{"server.time_until_store_dead", "1h30m", "1h30m0s"},
		{"server.time_until_store_dead", "500ms", ""},
		{"server.time_until_store_dead", "60", ""},
		{"placement.enabled", "false", "false"},
		{"placement.enabled", "ON", "true"},
		{"placement.enabled", "maybe", ""},
		{"range_split_qps", "2500", "2500"},
		{"range_split_qps", "0.5", ""},
		{"range_split_qps", "1e4", "10000"},
		{"range_split_qps", "NaN", ""},
		{"placement.max_moves_per_store", "64", "64"},
		{"placement.max_moves_per_store", "65", ""},
	} {
		s, ok := Lookup(tc.name)
		if !ok {
			t.Fatalf("%s unknown", tc.name)
		}
		got, err := s.Parse(tc.in)
		if tc.want == "" {
			var ie *InvalidValueError
			if !errors.As(err, &ie) || ie.Name != tc.name {
				t.Errorf("%s = %q: got %q, %v; want an InvalidValueError", tc.name, tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s = %q: got %q, %v; want %q", tc.name, tc.in, got, err, tc.want)
		}
	}
}

// TestFormatBytes: the largest exact binary unit.
func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1: "1 B", 1000: "1000 B", 1024: "1 KiB", 1536: "1536 B",
		64 << 20: "64 MiB", 3 << 30: "3 GiB", 1 << 40: "1 TiB", 1 << 50: "1024 TiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestRegistry: names sorted and unique, every default valid, Lookup
// case-insensitive, unknown names reported as UnknownError.
func TestRegistry(t *testing.T) {
	ks := Known()
	if len(ks) != 8 {
		t.Fatalf("%d settings", len(ks))
	}
	for i, s := range ks {
		if i > 0 && ks[i-1].Name >= s.Name {
			t.Errorf("%s after %s", s.Name, ks[i-1].Name)
		}
		if c, err := s.Parse(s.Default); err != nil || c != s.Default {
			t.Errorf("%s: default %q is not canonical (%q, %v)", s.Name, s.Default, c, err)
		}
		if s.Description == "" {
			t.Errorf("%s has no description", s.Name)
		}
	}
	if s, ok := Lookup("Range_Max_Bytes"); !ok || s.Kind != Bytes {
		t.Errorf("Lookup is case-sensitive: %+v %v", s, ok)
	}
	v := New(nil)
	_, err := v.String("no.such")
	var ue *UnknownError
	if !errors.As(err, &ue) || err.Error() != `unknown cluster setting "no.such"` {
		t.Errorf("String(no.such): %v", err)
	}
	if err := v.Set(context.Background(), "no.such", "1"); !errors.As(err, &ue) {
		t.Errorf("Set(no.such): %v", err)
	}
	if err := v.Reset(context.Background(), "no.such"); !errors.As(err, &ue) {
		t.Errorf("Reset(no.such): %v", err)
	}
}

// TestDefaultsAndMemory: a Values with no db, and a nil Values, read the
// defaults; Set and Reset change only memory; typed accessors agree.
func TestDefaultsAndMemory(t *testing.T) {
	ctx := context.Background()
	var none *Values
	for _, v := range []*Values{New(nil), none} {
		if v.Bytes("range_max_bytes") != 64<<20 || v.Bytes("range_min_bytes") != 1<<20 ||
			v.Float("range_split_qps") != 2500 || v.Int("replication_factor") != 3 ||
			v.Duration("server.time_until_store_dead") != 5*time.Minute ||
			v.Int("placement.max_moves_per_store") != 4 || !v.Bool("placement.enabled") || !v.Bool("placement.merge_enabled") {
			t.Fatalf("defaults wrong")
		}
	}
	v := New(nil)
	var changes []string
	v.OnChange(func(name string) { changes = append(changes, name) })
	if err := v.Set(ctx, "range_max_bytes", "128KiB"); err != nil {
		t.Fatal(err)
	}
	if err := v.Set(ctx, "range_max_bytes", "131072"); err != nil { // same value: no change
		t.Fatal(err)
	}
	if s, _ := v.String("range_max_bytes"); s != "128 KiB" || v.Bytes("range_max_bytes") != 128<<10 {
		t.Fatalf("after Set: %q %d", s, v.Bytes("range_max_bytes"))
	}
	if err := v.Set(ctx, "range_max_bytes", "12"); err == nil {
		t.Fatal("Set below the minimum succeeded")
	}
	if err := v.Reset(ctx, "range_max_bytes"); err != nil {
		t.Fatal(err)
	}
	if s, _ := v.String("range_max_bytes"); s != "64 MiB" {
		t.Fatalf("after Reset: %q", s)
	}
	if len(changes) != 2 {
		t.Fatalf("changes %v", changes)
	}
	if err := v.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestWrongKindPanics: reading a setting as another kind is a
// programming error.
func TestWrongKindPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	New(nil).Int("range_max_bytes")
}

// TestSharedStore: two Values over one store, as two nodes: a Set on one
// is stored canonically at SettingKey, seen by the other after Refresh
// (with OnChange), and Reset deletes it; stored garbage is ignored; a
// failed Refresh keeps the cache.
func TestSharedStore(t *testing.T) {
	ctx := context.Background()
	m := newMemSender()
	a, b := New(newDB(m)), New(newDB(m))
	var changed []string
	b.OnChange(func(name string) { changed = append(changed, name) })
	if err := a.Set(ctx, "server.time_until_store_dead", "90s"); err != nil {
		t.Fatal(err)
	}
	if got := string(m.vals[string(SettingKey("server.time_until_store_dead"))]); got != "1m30s" {
		t.Fatalf("stored %q", got)
	}
	if b.Duration("server.time_until_store_dead") != 5*time.Minute {
		t.Fatal("b changed before Refresh")
	}
	if err := b.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Duration("server.time_until_store_dead") != 90*time.Second || len(changed) != 1 {
		t.Fatalf("after Refresh: %s, changes %v", b.Duration("server.time_until_store_dead"), changed)
	}
	m.vals[string(SettingKey("replication_factor"))] = []byte("lots")
	m.vals[string(SettingKey("retired.setting"))] = []byte("1")
	if err := b.Refresh(ctx); err != nil || b.Int("replication_factor") != 3 {
		t.Fatalf("garbage: %v %d", err, b.Int("replication_factor"))
	}
	if err := a.Reset(ctx, "server.time_until_store_dead"); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.vals[string(SettingKey("server.time_until_store_dead"))]; ok {
		t.Fatal("Reset left the stored value")
	}
	m.fail = errors.New("unavailable")
	if err := b.Refresh(ctx); err == nil || b.Duration("server.time_until_store_dead") != 90*time.Second {
		t.Fatalf("failed Refresh: %v %s", err, b.Duration("server.time_until_store_dead"))
	}
	if err := a.Set(ctx, "replication_factor", "5"); err == nil || a.Int("replication_factor") != 3 {
		t.Fatalf("failed Set changed the cache: %v", err)
	}
	m.fail = nil
	if err := b.Refresh(ctx); err != nil || b.Duration("server.time_until_store_dead") != 5*time.Minute {
		t.Fatalf("after Reset: %v %s", err, b.Duration("server.time_until_store_dead"))
	}
}

// TestRun: Run picks up another node's Set within a few intervals and
// returns when its context ends.
func TestRun(t *testing.T) {
	m := newMemSender()
	a, b := New(newDB(m)), New(newDB(m))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Run(ctx, 5*time.Millisecond)
	}()
	if err := a.Set(ctx, "placement.enabled", "off"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.Bool("placement.enabled") {
		if time.Now().After(deadline) {
			t.Fatal("Run never saw the change")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
}
