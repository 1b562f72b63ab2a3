package plan

import (
	"bytes"
	"testing"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

func spanTable(dir catalog.Direction) *catalog.TableDescriptor {
	return &catalog.TableDescriptor{
		ID: 110, Name: "t",
		Columns: []catalog.Column{
			{ID: 1, Name: "a", Type: types.Int8},
			{ID: 2, Name: "b", Type: types.Int8},
			{ID: 3, Name: "v", Type: types.Text, Nullable: true},
		},
		NextColumnID: 4,
		PrimaryIndex: catalog.Index{ID: 1, Name: "t_pkey", ColumnIDs: []catalog.ColumnID{1, 2},
			Directions: []catalog.Direction{catalog.Ascending, dir}},
	}
}

func cmp(op CmpOp, ord int, v int64) Expr {
	return &Cmp{Op: op, L: &ColRef{Ordinal: ord, Typ: types.Int8}, R: &Const{D: types.DInt(v), Typ: types.Int8}}
}

// TestComputeSpansCoverRows checks, for ascending and descending second
// key columns, that the spans chosen for a predicate contain exactly the
// keys of the rows the predicate accepts among a grid of rows (and so
// that spans never lose a row).
func TestComputeSpansCoverRows(t *testing.T) {
	preds := []struct {
		name string
		e    Expr
	}{
		{"point", &And{L: cmp(EQ, 0, 2), R: cmp(EQ, 1, 3)}},
		{"prefix", cmp(EQ, 0, 2)},
		{"range first", &And{L: cmp(GT, 0, 1), R: cmp(LE, 0, 3)}},
		{"prefix+range", &And{L: cmp(EQ, 0, 2), R: &And{L: cmp(GE, 1, 2), R: cmp(LT, 1, 4)}}},
		{"prefix+lower", &And{L: cmp(EQ, 0, 2), R: cmp(GT, 1, 3)}},
		{"flipped", &Cmp{Op: GT, L: &Const{D: types.DInt(2), Typ: types.Int8}, R: &ColRef{Ordinal: 0, Typ: types.Int8}}},
		{"empty", &And{L: cmp(GT, 0, 3), R: cmp(LT, 0, 2)}},
		{"non-key", &Cmp{Op: EQ, L: &ColRef{Ordinal: 2, Typ: types.Text}, R: &Const{D: types.DString("x"), Typ: types.Text}}},
	}
	for _, dir := range []catalog.Direction{catalog.Ascending, catalog.Descending} {
		td := spanTable(dir)
		for _, p := range preds {
			spans, err := ComputeSpans(td, p.e, nil)
			if err != nil {
				t.Fatal(err)
			}
			for a := int64(0); a < 5; a++ {
				for b := int64(0); b < 6; b++ {
					row := types.Datums{types.DInt(a), types.DInt(b), types.DString("x")}
					key, err := rowenc.EncodePrimaryKey(td, row)
					if err != nil {
						t.Fatal(err)
					}
					in := false
					for _, sp := range spans {
						if sp.ContainsKey(key) {
							in = true
						}
					}
					want := evalTest(t, p.e, row)
					if want && !in {
						t.Errorf("dir %d %s: row (%d,%d) accepted but outside spans %v", dir, p.name, a, b, spans)
					}
					if p.name != "non-key" && in != want {
						t.Errorf("dir %d %s: row (%d,%d) in spans %v = %v, predicate %v", dir, p.name, a, b, spans, in, want)
					}
				}
			}
			if p.name == "point" && (len(spans) != 1 || len(spans[0].EndKey) != 0) {
				t.Errorf("point predicate gave %v", spans)
			}
		}
	}
}

// evalTest is a tiny evaluator for the predicates above (sql/exec has the
// real one; plan cannot import it).
func evalTest(t *testing.T, e Expr, row types.Datums) bool {
	switch x := e.(type) {
	case *And:
		return evalTest(t, x.L, row) && evalTest(t, x.R, row)
	case *Cmp:
		val := func(e Expr) types.Datum {
			if c, ok := e.(*ColRef); ok {
				return row[c.Ordinal]
			}
			return e.(*Const).D
		}
		c := types.Compare(val(x.L), val(x.R))
		switch x.Op {
		case EQ:
			return c == 0
		case LT:
			return c < 0
		case LE:
			return c <= 0
		case GT:
			return c > 0
		case GE:
			return c >= 0
		}
	}
	t.Fatalf("evalTest: %T", e)
	return false
}

func TestFullSpan(t *testing.T) {
	td := spanTable(catalog.Ascending)
	spans, err := ComputeSpans(td, nil, nil)
	if err != nil || len(spans) != 1 {
		t.Fatal(spans, err)
	}
	p := kvpb.IndexKeyPrefix(110, 1)
	if !bytes.Equal(spans[0].Key, p) || !bytes.Equal(spans[0].EndKey, kvpb.PrefixEnd(p)) {
		t.Fatalf("full span %v", spans[0])
	}
}
