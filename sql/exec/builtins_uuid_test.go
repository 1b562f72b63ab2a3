package exec

import (
	"testing"

	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// TestGenRandomUUID checks gen_random_uuid's shape: version 4, RFC 4122
// variant, canonical text, and no repeats.
func TestGenRandomUUID(t *testing.T) {
	seen := map[types.DUUID]bool{}
	for i := 0; i < 1000; i++ {
		d, ok, err := callUUIDBuiltin(&plan.Func{Name: "gen_random_uuid", Typ: types.UUID}, nil)
		if !ok || err != nil {
			t.Fatalf("gen_random_uuid() = %v, %v, %v", d, ok, err)
		}
		u := d.(types.DUUID)
		if u[6]>>4 != 4 || u[8]>>6 != 2 {
			t.Fatalf("%s: version %d, variant bits %b", u, u[6]>>4, u[8]>>6)
		}
		s := string(types.Format(u))
		if len(s) != 36 || s[14] != '4' || s != u.String() {
			t.Fatalf("text form %q", s)
		}
		if seen[u] {
			t.Fatalf("%s repeated", u)
		}
		seen[u] = true
	}
	if _, ok, _ := callUUIDBuiltin(&plan.Func{Name: "random"}, nil); ok {
		t.Fatal("callUUIDBuiltin took random()")
	}
}
