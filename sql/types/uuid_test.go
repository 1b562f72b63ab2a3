package types

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rangedb/rangedb/sql/pgerror"
)

const testUUID = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"

// TestParseUUIDHyphens checks uuid_in's hyphen rule exhaustively: one
// hyphen is allowed after each group of four hex digits but the last, at
// any subset of those seven places, and nowhere else. (PostgreSQL's
// answers for samples of this are in testdata/cases.txt.)
func TestParseUUIDHyphens(t *testing.T) {
	digits := strings.ReplaceAll(testUUID, "-", "")
	want, err := ParseUUID(testUUID)
	if err != nil {
		t.Fatal(err)
	}
	for mask := 0; mask < 1<<7; mask++ {
		var b strings.Builder
		for g := 0; g < 8; g++ {
			b.WriteString(digits[4*g : 4*g+4])
			if g < 7 && mask&(1<<g) != 0 {
				b.WriteByte('-')
			}
		}
		for _, s := range []string{b.String(), "{" + b.String() + "}", strings.ToUpper(b.String())} {
			if got, err := ParseUUID(s); err != nil || got != want {
				t.Errorf("ParseUUID(%q) = %v, %v", s, got, err)
			}
		}
	}
	for i := 0; i <= len(digits); i++ {
		if i%4 == 0 && i > 0 && i < len(digits) {
			continue // an allowed place
		}
		s := digits[:i] + "-" + digits[i:]
		_, err := ParseUUID(s)
		if pe := pgerror.Flatten(err); pe == nil || pe.Code != pgerror.CodeInvalidTextRepresentation ||
			pe.Message != `invalid input syntax for type uuid: "`+s+`"` {
			t.Errorf("ParseUUID(%q): %v, want 22P02", s, err)
		}
	}
}

func TestUUIDTextAndBinary(t *testing.T) {
	u, err := ParseText(UUID, "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(Format(u)); got != testUUID {
		t.Fatalf("Format = %q", got)
	}
	b, err := EncodeBinary(u, UUID)
	if err != nil || len(b) != 16 || !bytes.Equal(b[:2], []byte{0xa0, 0xee}) {
		t.Fatalf("EncodeBinary = %x, %v", b, err)
	}
	back, err := DecodeBinary(UUID, b)
	if err != nil || Compare(back, u) != 0 {
		t.Fatalf("DecodeBinary = %v, %v", back, err)
	}
	for _, n := range []int{0, 15, 17} {
		_, err := DecodeBinary(UUID, make([]byte, n))
		if pe := pgerror.Flatten(err); pe == nil || pe.Code != pgerror.CodeInvalidBinaryRepresentation {
			t.Errorf("DecodeBinary of %d bytes: %v, want 22P03", n, err)
		}
	}
}

func TestUUIDTypeAndCasts(t *testing.T) {
	typ, err := ResolveTypeName("uuid", nil)
	if err != nil || typ != UUID || typ.OID != 2950 || typ.Size != 16 {
		t.Fatalf("ResolveTypeName(uuid) = %v, %v", typ, err)
	}
	if _, err := ResolveTypeName("pg_catalog.uuid", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ResolveTypeName("uuid", []int32{3}); pgerror.Flatten(err).Code != pgerror.CodeSyntaxError {
		t.Fatalf("uuid(3): %v, want 42601", err)
	}
	if ByOID(OIDUUID) != UUID {
		t.Fatal("ByOID(2950)")
	}
	if p, err := FromPersisted(UUID.Persist()); err != nil || p != UUID {
		t.Fatalf("FromPersisted = %v, %v", p, err)
	}
	// pg_cast: uuid has I/O conversions with the string types only.
	for _, c := range []struct {
		from, to         *T
		expl, ass, implc bool
	}{
		{UUID, UUID, true, true, true},
		{Text, UUID, true, false, false},
		{VarChar, UUID, true, false, false},
		{BpChar, UUID, true, false, false},
		{UUID, Text, true, true, false},
		{UUID, MakeVarChar(5), true, true, false},
		{UUID, Bytea, false, false, false},
		{Bytea, UUID, false, false, false},
		{Int4, UUID, false, false, false},
		{UUID, Int8, false, false, false},
		{UUID, Bool, false, false, false},
		{Unknown, UUID, true, true, true},
	} {
		e, a, i := CastAllowed(c.from, c.to)
		if e != c.expl || a != c.ass || i != c.implc {
			t.Errorf("CastAllowed(%s, %s) = %v %v %v, want %v %v %v", c.from, c.to, e, a, i, c.expl, c.ass, c.implc)
		}
	}
	for _, op := range []string{"+", "-", "*", "/", "%"} {
		if _, ok := ResolveBinaryOp(op, UUID, UUID); ok {
			t.Errorf("uuid %s uuid resolved", op)
		}
	}
	if _, ok := ResolveBinaryOp("=", UUID, Text); ok {
		t.Error("uuid = text resolved")
	}
	if r, ok := ResolveBinaryOp("<", UUID, Unknown); !ok || r != Bool {
		t.Error("uuid < unknown did not resolve to boolean")
	}
	if _, ok := ResolveUnaryOp("-", UUID); ok {
		t.Error("- uuid resolved")
	}
}

func TestUUIDCompareBytewise(t *testing.T) {
	a, _ := ParseUUID("7fffffff-ffff-ffff-ffff-ffffffffffff")
	b, _ := ParseUUID("80000000-0000-0000-0000-000000000000")
	if Compare(a, b) != -1 || Compare(b, a) != 1 || Compare(a, a) != 0 || Compare(DNull, a) != -1 {
		t.Fatal("uuid comparison is not bytewise unsigned")
	}
}
