package mvcc

import (
	"bytes"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// EngineComparer orders engine keys: by prefix (userKey ‖ 0x00) bytewise,
// which is the user key order; for one prefix the unversioned key first,
// then versions newest first. Its Name is persisted in every store: never
// rename it, and never change the order it defines.
var EngineComparer = newEngineComparer()

// engineComparerName is persisted in Pebble's OPTIONS file.
const engineComparerName = "rangedb.EngineComparer.v1"

func newEngineComparer() *pebble.Comparer {
	c := *pebble.DefaultComparer
	c.Name = engineComparerName
	c.Split = engineSplit
	c.Compare = engineCompare
	c.Equal = bytes.Equal // the encoding is canonical: equal ⇔ same bytes
	c.ComparePointSuffixes = compareSuffixes
	c.CompareRangeSuffixes = compareSuffixes
	c.AbbreviatedKey = func(k []byte) uint64 {
		// The prefix decides the order before the suffix does, and the
		// default abbreviation is monotone in bytewise order.
		return pebble.DefaultComparer.AbbreviatedKey(k[:engineSplit(k)])
	}
	// Conservative Separator and Successor: returning a unchanged always
	// satisfies their contracts (shorter index keys would be an
	// optimisation only).
	c.Separator = func(dst, a, _ []byte) []byte { return append(dst, a...) }
	c.Successor = func(dst, a []byte) []byte { return append(dst, a...) }
	// The smallest prefix after a prefix P (which ends in 0x00) is P ‖ 0x00:
	// nothing sorts bytewise between them.
	c.ImmediateSuccessor = func(dst, a []byte) []byte { return append(append(dst, a...), sentinel) }
	c.FormatKey = func(k []byte) fmt.Formatter { return formattedKey(k) }
	c.FormatValue = nil
	c.ValidateKey = nil
	return &c
}

// engineSplit returns the length of k's prefix: the key minus the suffix
// whose length is k's last byte. Malformed keys are all prefix.
func engineSplit(k []byte) int {
	n := len(k)
	if n == 0 {
		return 0
	}
	s := int(k[n-1])
	if s > n {
		return n
	}
	return n - s
}

// engineCompare compares prefixes bytewise, then suffixes.
func engineCompare(a, b []byte) int {
	an, bn := engineSplit(a), engineSplit(b)
	if c := bytes.Compare(a[:an], b[:bn]); c != 0 {
		return c
	}
	return compareSuffixes(a[an:], b[bn:])
}

// compareSuffixes puts the empty suffix (unversioned) first, then versions
// by descending timestamp. Every versioned suffix ends in the same length
// byte, so comparing whole suffixes in reverse orders by timestamp.
func compareSuffixes(a, b []byte) int {
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return -1
	case len(b) == 0:
		return +1
	}
	return bytes.Compare(b, a)
}

// formattedKey prints an engine key as key@ts (pretty key, ts as
// physical,logical) for Pebble's logs and tools.
type formattedKey []byte

func (k formattedKey) Format(s fmt.State, _ rune) {
	uk, ts, err := DecodeKey(k)
	switch {
	case err != nil:
		fmt.Fprintf(s, "%x", []byte(k))
	case ts == 0:
		fmt.Fprint(s, uk.String())
	default:
		fmt.Fprintf(s, "%s@%s", uk, ts)
	}
}
