package types

import (
	"encoding/hex"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file is the uuid type's text I/O, as PostgreSQL 15's uuid_in and
// uuid_out behave.

// uuidTextLen is the length of the canonical form
// xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
const uuidTextLen = 36

// ParseUUID reads a uuid as uuid_in does: 32 hex digits of either case,
// optionally wrapped in one pair of braces, with at most one hyphen after
// any group of four digits except the last (so the canonical
// 8-4-4-4-12 form, no hyphens, and 4-4-4-4-4-4-4-4 are all accepted).
// Nothing else is allowed, not even surrounding spaces. Bad input is
// 22P02 `invalid input syntax for type uuid: "…"`.
func ParseUUID(s string) (DUUID, error) {
	var u DUUID
	bad := func() (DUUID, error) {
		return DUUID{}, pgerror.New(pgerror.CodeInvalidTextRepresentation,
			"invalid input syntax for type uuid: \"%s\"", s)
	}
	p := s
	braces := len(p) > 0 && p[0] == '{'
	if braces {
		p = p[1:]
	}
	for i := range u {
		if len(p) < 2 {
			return bad()
		}
		hi, ok1 := unhex(p[0])
		lo, ok2 := unhex(p[1])
		if !ok1 || !ok2 {
			return bad()
		}
		u[i] = hi<<4 | lo
		p = p[2:]
		// A hyphen may follow every second byte (four digits), but not
		// the last one.
		if i%2 == 1 && i < len(u)-1 && len(p) > 0 && p[0] == '-' {
			p = p[1:]
		}
	}
	if braces {
		if len(p) == 0 || p[0] != '}' {
			return bad()
		}
		p = p[1:]
	}
	if p != "" {
		return bad()
	}
	return u, nil
}

// appendUUID appends uuid_out's form of u: lower-case 8-4-4-4-12.
func appendUUID(b []byte, u DUUID) []byte {
	var buf [uuidTextLen]byte
	hex.Encode(buf[0:8], u[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], u[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], u[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], u[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:36], u[10:16])
	return append(b, buf[:]...)
}

// String returns u's canonical text form.
func (u DUUID) String() string { return string(appendUUID(nil, u)) }
