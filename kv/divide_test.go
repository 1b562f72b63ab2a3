package kv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// cacheResolver resolves from a rangeCache alone.
type cacheResolver struct{ c *rangeCache }

func (r cacheResolver) rangeFor(_ context.Context, key kvpb.Key, before bool) (*kvpb.RangeDescriptor, error) {
	if before {
		if d, ok := r.c.lookupBefore(key); ok {
			return d, nil
		}
	} else if d, ok := r.c.lookup(key); ok {
		return d, nil
	}
	return nil, fmt.Errorf("no range for %s", key)
}

func reqString(req kvpb.Request) string {
	switch r := req.(type) {
	case *kvpb.ScanRequest:
		return fmt.Sprintf("Scan%s", r.Span)
	case *kvpb.ClearRangeRequest:
		return fmt.Sprintf("ClearRange%s", r.Span)
	case *kvpb.CommitRequest:
		return fmt.Sprintf("Commit%v", r.Keys)
	case *kvpb.PrewriteRequest:
		var ks []kvpb.Key
		for _, m := range r.Mutations {
			ks = append(ks, m.Key)
		}
		return fmt.Sprintf("Prewrite%v primary %s", ks, r.Primary)
	}
	return fmt.Sprintf("%s(%s)", req.Method(), req.Header())
}

func divisionString(v *division) string {
	var sb strings.Builder
	for _, p := range v.parts {
		fmt.Fprintf(&sb, "%s:", p.desc.RangeID)
		for i, req := range p.reqs {
			fmt.Fprintf(&sb, " #%d %s", p.pos[i], reqString(req))
		}
		sb.WriteString("\n")
	}
	for _, s := range v.scans {
		fmt.Fprintf(&sb, "limited #%d %s\n", s.pos, reqString(s.req))
	}
	return sb.String()
}

func k(s string) kvpb.Key { return kvpb.Key(s) }

// TestDivide: how batches are divided over the ranges [Min, c), [c, m),
// [m, Max).
func TestDivide(t *testing.T) {
	c := newRangeCache(0)
	c.insert(desc(1, "", "c", 1), desc(2, "c", "m", 1), desc(3, "m", "", 1))
	res := cacheResolver{c}
	for _, tc := range []struct {
		name string
		reqs []kvpb.Request
		want string
	}{
		{
			name: "points",
			reqs: []kvpb.Request{&kvpb.GetRequest{Key: k("d")}, &kvpb.GetRequest{Key: k("a")}, &kvpb.RawPutRequest{Key: k("e")}},
			want: "r2: #0 Get(/d) #2 RawPut(/e)\nr1: #1 Get(/a)\n",
		},
		{
			name: "scan in one range is sent unchanged",
			reqs: []kvpb.Request{&kvpb.ScanRequest{Span: kvpb.Span{Key: k("c"), EndKey: k("m")}, MaxKeys: 3}},
			want: "r2: #0 Scan[/c, /m)\n",
		},
		{
			name: "unlimited scan truncated to each range",
			reqs: []kvpb.Request{&kvpb.ScanRequest{Span: kvpb.Span{Key: k("b"), EndKey: k("n")}, Reverse: true}},
			want: "r1: #0 Scan[/b, /c)\nr2: #0 Scan[/c, /m)\nr3: #0 Scan[/m, /n)\n",
		},
		{
			name: "limited scans read in order",
			reqs: []kvpb.Request{
				&kvpb.ScanRequest{Span: kvpb.Span{Key: k("b"), EndKey: k("n")}, MaxBytes: 10},
				&kvpb.RawScanRequest{Span: kvpb.Span{Key: k("b"), EndKey: k("d")}, MaxKeys: 1},
				&kvpb.ClearRangeRequest{Span: kvpb.Span{Key: k("l"), EndKey: k("o")}},
			},
			want: "r2: #2 ClearRange[/l, /m)\nr3: #2 ClearRange[/m, /o)\nlimited #0 Scan[/b, /n)\nlimited #1 RawScan(/b)\n",
		},
		{
			name: "keys grouped by range, in their order",
			reqs: []kvpb.Request{
				&kvpb.CommitRequest{Keys: []kvpb.Key{k("a"), k("n"), k("d"), k("b"), k("e")}},
				&kvpb.CommitRequest{Keys: []kvpb.Key{k("d"), k("e")}},
			},
			want: "r1: #0 Commit[/a /b]\nr3: #0 Commit[/n]\nr2: #0 Commit[/d /e] #1 Commit[/d /e]\n",
		},
		{
			name: "prewrite parts keep the primary",
			reqs: []kvpb.Request{&kvpb.PrewriteRequest{Primary: k("a"), Mutations: []kvpb.Mutation{{Key: k("d")}, {Key: k("n")}}}},
			want: "r2: #0 Prewrite[/d] primary /a\nr3: #0 Prewrite[/n] primary /a\n",
		},
		{
			name: "no keys: range 1",
			reqs: []kvpb.Request{&kvpb.RollbackRequest{}},
			want: "r1: #0 Rollback(/Min)\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := divide(context.Background(), res, tc.reqs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := divisionString(v); got != tc.want {
				t.Errorf("got\n%swant\n%s", got, tc.want)
			}
		})
	}

	// A one-phase commit over two ranges is refused.
	_, err := divide(context.Background(), res, []kvpb.Request{&kvpb.OnePCRequest{Mutations: []kvpb.Mutation{{Key: k("a")}, {Key: k("d")}}}}, nil)
	var mm *kvpb.RangeKeyMismatchError
	if !errors.As(err, &mm) || !mm.Key.Equal(k("d")) || len(mm.Ranges) != 2 {
		t.Errorf("one-phase commit over two ranges: %v", err)
	}
	// A key outside the keyspace.
	if _, err := divide(context.Background(), res, []kvpb.Request{&kvpb.GetRequest{Key: kvpb.LockKey(k("a"))}}, nil); !errors.As(err, &mm) {
		t.Errorf("a /Local key: %v", err)
	}
	// Positions carry over.
	v, err := divide(context.Background(), res, []kvpb.Request{&kvpb.GetRequest{Key: k("x")}}, []int{7})
	if err != nil || divisionString(v) != "r3: #7 Get(/x)\n" {
		t.Errorf("positions: %v %q", err, divisionString(v))
	}
}

// TestMerger: the pieces of a scan are concatenated in scan order
// whatever order they came back in.
func TestMerger(t *testing.T) {
	fwd := &kvpb.ScanRequest{Span: kvpb.Span{Key: k("a"), EndKey: k("z")}}
	rev := &kvpb.ScanRequest{Span: kvpb.Span{Key: k("a"), EndKey: k("z")}, Reverse: true}
	m := newMerger([]kvpb.Request{fwd, rev, &kvpb.CommitRequest{}})
	piece := func(pos int, start string, reverse bool, keys ...string) {
		var rows []kvpb.KeyValue
		for _, key := range keys {
			rows = append(rows, kvpb.KeyValue{Key: k(key)})
		}
		m.add(pos, &kvpb.ScanRequest{Span: kvpb.Span{Key: k(start)}, Reverse: reverse}, &kvpb.ScanResponse{Rows: rows})
	}
	piece(0, "m", false, "m", "n")
	piece(0, "a", false, "a", "b")
	piece(1, "a", true, "b", "a")
	piece(1, "m", true, "n", "m")
	m.add(2, &kvpb.CommitRequest{}, &kvpb.CommitResponse{})
	m.add(2, &kvpb.CommitRequest{}, &kvpb.CommitResponse{})
	br, err := m.response()
	if err != nil {
		t.Fatal(err)
	}
	keys := func(r kvpb.Response) string {
		var s string
		for _, row := range r.(*kvpb.ScanResponse).Rows {
			s += string(row.Key)
		}
		return s
	}
	if keys(br.Responses[0]) != "abmn" || keys(br.Responses[1]) != "nmba" {
		t.Errorf("merged %q and %q", keys(br.Responses[0]), keys(br.Responses[1]))
	}
	if _, ok := br.Responses[2].(*kvpb.CommitResponse); !ok {
		t.Errorf("commit response %T", br.Responses[2])
	}
	if _, err := newMerger([]kvpb.Request{fwd}).response(); err == nil {
		t.Error("a request without a response was not noticed")
	}
}
