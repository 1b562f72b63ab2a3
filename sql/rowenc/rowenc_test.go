package rowenc

import (
	"bytes"
	"math"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

func randDatum(rng *rand.Rand, fam types.Family) types.Datum {
	if rng.Intn(10) == 0 {
		return types.DNull
	}
	switch fam {
	case types.IntFamily:
		switch rng.Intn(4) {
		case 0:
			return types.DInt([]int64{math.MinInt64, -1, 0, 1, math.MaxInt64}[rng.Intn(5)])
		default:
			return types.DInt(rng.Int63() - rng.Int63())
		}
	case types.BoolFamily:
		return types.DBool(rng.Intn(2) == 0)
	default:
		b := make([]byte, rng.Intn(6))
		for i := range b {
			b[i] = []byte{0, 1, 'a', 'b', 0xff}[rng.Intn(5)]
		}
		return types.DString(b)
	}
}

// TestKeyOrder checks that composite key encodings sort as the tuples do,
// in both directions, and round-trip.
func TestKeyOrder(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	fams := []types.Family{types.IntFamily, types.StringFamily, types.BoolFamily}
	typs := map[types.Family]*types.T{types.IntFamily: types.Int8, types.StringFamily: types.Text, types.BoolFamily: types.Bool}
	for iter := 0; iter < 200; iter++ {
		ncols := 1 + rng.Intn(3)
		colFams := make([]types.Family, ncols)
		dirs := make([]catalog.Direction, ncols)
		for i := range colFams {
			colFams[i] = fams[rng.Intn(len(fams))]
			dirs[i] = catalog.Direction(rng.Intn(2))
		}
		type tuple struct {
			vals []types.Datum
			key  []byte
		}
		var tuples []tuple
		for n := 0; n < 30; n++ {
			var tp tuple
			for i := range colFams {
				d := randDatum(rng, colFams[i])
				tp.vals = append(tp.vals, d)
				var err error
				tp.key, err = EncodeKeyDatum(tp.key, d, dirs[i])
				if err != nil {
					t.Fatal(err)
				}
			}
			// Round trip.
			b := tp.key
			for i := range colFams {
				var d types.Datum
				var err error
				b, d, err = DecodeKeyDatum(b, typs[colFams[i]], dirs[i])
				if err != nil || types.Compare(d, tp.vals[i]) != 0 {
					t.Fatalf("round trip of %v: got %v, %v", tp.vals[i], d, err)
				}
			}
			if len(b) != 0 {
				t.Fatalf("trailing bytes")
			}
			tuples = append(tuples, tp)
		}
		cmp := func(a, b []types.Datum) int {
			for i := range a {
				c := types.Compare(a[i], b[i])
				if dirs[i] == catalog.Descending {
					c = -c
				}
				if c != 0 {
					return c
				}
			}
			return 0
		}
		sort.Slice(tuples, func(i, j int) bool { return cmp(tuples[i].vals, tuples[j].vals) < 0 })
		for i := 1; i < len(tuples); i++ {
			c := cmp(tuples[i-1].vals, tuples[i].vals)
			kc := bytes.Compare(tuples[i-1].key, tuples[i].key)
			if (c < 0) != (kc < 0) || (c == 0) != (kc == 0) {
				t.Fatalf("order mismatch: %v vs %v: tuple cmp %d, key cmp %d", tuples[i-1].vals, tuples[i].vals, c, kc)
			}
		}
	}
}

func TestKeyOrderTable(t *testing.T) {
	// Explicit edge cases: NULL first, negative before positive, prefix
	// strings before extensions, embedded zero bytes.
	ordered := []types.Datum{types.DNull, types.DInt(math.MinInt64), types.DInt(-1), types.DInt(0), types.DInt(1), types.DInt(math.MaxInt64)}
	strs := []types.Datum{types.DNull, types.DString(""), types.DString("\x00"), types.DString("\x00\x00"), types.DString("\x01"), types.DString("a"), types.DString("a\x00"), types.DString("ab"), types.DString("b")}
	for _, list := range [][]types.Datum{ordered, strs} {
		for i := 1; i < len(list); i++ {
			a, _ := EncodeKeyDatum(nil, list[i-1], catalog.Ascending)
			b, _ := EncodeKeyDatum(nil, list[i], catalog.Ascending)
			if bytes.Compare(a, b) >= 0 {
				t.Errorf("%q !< %q", a, b)
			}
			ad, _ := EncodeKeyDatum(nil, list[i-1], catalog.Descending)
			bd, _ := EncodeKeyDatum(nil, list[i], catalog.Descending)
			if bytes.Compare(ad, bd) <= 0 {
				t.Errorf("desc %q !> %q", ad, bd)
			}
		}
	}
}

func testTable() *catalog.TableDescriptor {
	return &catalog.TableDescriptor{
		ID: 104, Name: "t",
		Columns: []catalog.Column{
			{ID: 1, Name: "a", Type: types.Int4},
			{ID: 2, Name: "b", Type: types.Text, Nullable: true},
			{ID: 3, Name: "c", Type: types.Int8, Nullable: true},
			{ID: 5, Name: "d", Type: types.Bool, Nullable: true},
		},
		NextColumnID: 6,
		PrimaryIndex: catalog.Index{ID: 1, Name: "t_pkey", ColumnIDs: []catalog.ColumnID{1}, Directions: []catalog.Direction{catalog.Ascending}},
	}
}

func TestRowRoundTrip(t *testing.T) {
	td := testTable()
	for _, row := range []types.Datums{
		{types.DInt(1), types.DString("x"), types.DInt(-99), types.DBool(true)},
		{types.DInt(-5), types.DNull, types.DNull, types.DNull},
		{types.DInt(7), types.DString(""), types.DInt(math.MaxInt64), types.DBool(false)},
	} {
		k, err := EncodePrimaryKey(td, row)
		if err != nil {
			t.Fatal(err)
		}
		v, err := EncodeValue(td, row)
		if err != nil {
			t.Fatal(err)
		}
		got := make(types.Datums, len(td.Columns))
		if err := DecodePrimaryKey(td, k, got); err != nil {
			t.Fatal(err)
		}
		if err := DecodeValue(td, v, got); err != nil {
			t.Fatal(err)
		}
		for i := range row {
			if types.Compare(row[i], got[i]) != 0 {
				t.Errorf("column %d: got %v want %v", i, got[i], row[i])
			}
		}
	}
	// A value written with a column the descriptor no longer has decodes;
	// a column added since reads as NULL.
	row := types.Datums{types.DInt(1), types.DString("x"), types.DInt(3), types.DBool(true)}
	v, _ := EncodeValue(td, row)
	td2 := testTable()
	td2.Columns = append(td2.Columns[:2], catalog.Column{ID: 6, Name: "e", Type: types.Int8, Nullable: true})
	got := make(types.Datums, len(td2.Columns))
	if err := DecodeValue(td2, v, got); err != nil {
		t.Fatal(err)
	}
	if got[1] != types.DString("x") || got[2] != types.DNull {
		t.Errorf("schema change decode: %v", got)
	}
}

// TestMissingValue: a row written before a column with a missing value
// was added reads that value; one written since with NULL reads NULL.
func TestMissingValue(t *testing.T) {
	td := testTable()
	n := len(td.Columns)
	old := make(types.Datums, n)
	for i := range old {
		old[i] = types.DNull
	}
	old[0] = types.DInt(1)
	oldVal, err := EncodeValue(td, old)
	if err != nil {
		t.Fatal(err)
	}
	m, err := AppendValueDatum(nil, types.DInt(7))
	if err != nil {
		t.Fatal(err)
	}
	td.Columns = append(td.Columns, catalog.Column{ID: td.NextColumnID, Name: "added", Type: types.Int8, Nullable: true, Missing: m})
	td.NextColumnID++
	row := make(types.Datums, n+1)
	if err := DecodeValue(td, oldVal, row); err != nil {
		t.Fatal(err)
	}
	if row[n] != types.DInt(7) {
		t.Fatalf("old row reads %v, want 7", row[n])
	}
	fresh := append(append(types.Datums(nil), old...), types.DNull)
	val, err := EncodeValue(td, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if err := DecodeValue(td, val, row); err != nil {
		t.Fatal(err)
	}
	if row[n] != types.DNull {
		t.Fatalf("row written with NULL reads %v", row[n])
	}
}
