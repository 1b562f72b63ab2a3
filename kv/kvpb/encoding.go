package kvpb

import (
	"encoding/binary"
	"errors"
	"math"
)

// This file holds the order-preserving primitives that keys are built from:
// for every encoder here, bytes.Compare on the encodings orders the same way
// as the values (or the reverse, for the Descending variants). Keys of the
// keyspace (keys.go) and SQL row keys (sql/rowenc) are made of them.

// ErrCorruptKey is returned by decoders that meet bytes no encoder made.
var ErrCorruptKey = errors.New("kvpb: corrupt key encoding")

// EncodeUvarintAscending appends an order-preserving encoding of v: one byte
// holding the number of significant bytes (0–8), then those bytes big-endian.
func EncodeUvarintAscending(b []byte, v uint64) []byte {
	n := 0
	for x := v; x != 0; x >>= 8 {
		n++
	}
	b = append(b, byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(v>>(8*uint(i))))
	}
	return b
}

// DecodeUvarintAscending decodes a value encoded by EncodeUvarintAscending
// and returns the remaining bytes.
func DecodeUvarintAscending(b []byte) ([]byte, uint64, error) {
	if len(b) == 0 {
		return nil, 0, ErrCorruptKey
	}
	n := int(b[0])
	if n > 8 || len(b) < 1+n {
		return nil, 0, ErrCorruptKey
	}
	var v uint64
	for _, c := range b[1 : 1+n] {
		v = v<<8 | uint64(c)
	}
	return b[1+n:], v, nil
}

// EncodeUvarintDescending appends an encoding of v that sorts in reverse
// order of v.
func EncodeUvarintDescending(b []byte, v uint64) []byte {
	return EncodeUvarintAscending(b, ^v)
}

// DecodeUvarintDescending decodes a value encoded by EncodeUvarintDescending.
func DecodeUvarintDescending(b []byte) ([]byte, uint64, error) {
	rest, v, err := DecodeUvarintAscending(b)
	return rest, ^v, err
}

// EncodeVarintAscending appends an order-preserving, fixed-width (8 byte)
// encoding of a signed integer: the sign bit flipped, big-endian.
func EncodeVarintAscending(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(b, uint64(v)^(1<<63))
}

// DecodeVarintAscending decodes a value encoded by EncodeVarintAscending.
func DecodeVarintAscending(b []byte) ([]byte, int64, error) {
	if len(b) < 8 {
		return nil, 0, ErrCorruptKey
	}
	return b[8:], int64(binary.BigEndian.Uint64(b) ^ (1 << 63)), nil
}

// EncodeVarintDescending appends an encoding of v that sorts in reverse
// order of v.
func EncodeVarintDescending(b []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(b, ^(uint64(v) ^ (1 << 63)))
}

// DecodeVarintDescending decodes a value encoded by EncodeVarintDescending.
func DecodeVarintDescending(b []byte) ([]byte, int64, error) {
	if len(b) < 8 {
		return nil, 0, ErrCorruptKey
	}
	return b[8:], int64(^binary.BigEndian.Uint64(b) ^ (1 << 63)), nil
}

// EncodeFloatAscending appends an order-preserving encoding of f (NaN sorts
// before every other value, as PostgreSQL sorts it after: callers that need
// PostgreSQL's NaN order handle it with a marker byte).
func EncodeFloatAscending(b []byte, f float64) []byte {
	if f == 0 {
		f = 0 // fold -0 into +0
	}
	u := math.Float64bits(f)
	if u&(1<<63) != 0 {
		u = ^u
	} else {
		u |= 1 << 63
	}
	return binary.BigEndian.AppendUint64(b, u)
}

// DecodeFloatAscending decodes a value encoded by EncodeFloatAscending.
func DecodeFloatAscending(b []byte) ([]byte, float64, error) {
	if len(b) < 8 {
		return nil, 0, ErrCorruptKey
	}
	u := binary.BigEndian.Uint64(b)
	if u&(1<<63) != 0 {
		u &^= 1 << 63
	} else {
		u = ^u
	}
	return b[8:], math.Float64frombits(u), nil
}

const (
	escape      byte = 0x00
	escaped00   byte = 0xff
	escapedTerm byte = 0x01
)

// EncodeBytesAscending appends an order-preserving, self-terminating
// encoding of s: every 0x00 becomes 0x00 0xff and the end is 0x00 0x01, so a
// prefix sorts before its extensions and the encoding can be followed by
// more key parts.
func EncodeBytesAscending(b []byte, s []byte) []byte {
	for _, c := range s {
		if c == escape {
			b = append(b, escape, escaped00)
		} else {
			b = append(b, c)
		}
	}
	return append(b, escape, escapedTerm)
}

// DecodeBytesAscending decodes a value encoded by EncodeBytesAscending,
// appending it to buf, and returns the remaining bytes.
func DecodeBytesAscending(b []byte, buf []byte) ([]byte, []byte, error) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != escape {
			buf = append(buf, c)
			continue
		}
		if i+1 >= len(b) {
			return nil, nil, ErrCorruptKey
		}
		switch b[i+1] {
		case escaped00:
			buf = append(buf, 0)
			i++
		case escapedTerm:
			return b[i+2:], buf, nil
		default:
			return nil, nil, ErrCorruptKey
		}
	}
	return nil, nil, ErrCorruptKey
}

// EncodeBytesDescending appends an encoding of s that sorts in reverse
// order: the ascending encoding with every byte inverted.
func EncodeBytesDescending(b []byte, s []byte) []byte {
	n := len(b)
	b = EncodeBytesAscending(b, s)
	for i := n; i < len(b); i++ {
		b[i] = ^b[i]
	}
	return b
}

// DecodeBytesDescending decodes a value encoded by EncodeBytesDescending.
func DecodeBytesDescending(b []byte, buf []byte) ([]byte, []byte, error) {
	for i := 0; i < len(b); i++ {
		c := ^b[i]
		if c != escape {
			buf = append(buf, c)
			continue
		}
		if i+1 >= len(b) {
			return nil, nil, ErrCorruptKey
		}
		switch ^b[i+1] {
		case escaped00:
			buf = append(buf, 0)
			i++
		case escapedTerm:
			return b[i+2:], buf, nil
		default:
			return nil, nil, ErrCorruptKey
		}
	}
	return nil, nil, ErrCorruptKey
}

// PrefixEnd returns the smallest key greater than every key that has prefix
// p, or nil (meaning "the end of the keyspace") when p is all 0xff.
func PrefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}
