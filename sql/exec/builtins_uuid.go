package exec

import (
	"crypto/rand"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// The uuid functions of PostgreSQL 15's core catalog: gen_random_uuid().
// (uuid-ossp's uuid_generate_v1 … are an extension, not built in.)

// callUUIDBuiltin evaluates the functions above; it reports false for any
// other name. gen_random_uuid is volatile (plan's volatileFuncs): it is
// never folded, and a DEFAULT calling it is evaluated for each row.
func callUUIDBuiltin(f *plan.Func, _ []types.Datum) (types.Datum, bool, error) {
	switch f.Name {
	case "gen_random_uuid":
		u, err := genRandomUUID()
		return u, true, err
	}
	return nil, false, nil
}

// genRandomUUID returns a version 4 (random) UUID of RFC 4122's variant,
// as PostgreSQL's gen_random_uuid does: 122 bits from the system's
// cryptographic random source, the version nibble (the high four bits of
// byte 6) set to 0100 and the variant bits (the high two of byte 8) to 10.
func genRandomUUID() (types.DUUID, error) {
	var u types.DUUID
	if _, err := rand.Read(u[:]); err != nil {
		return types.DUUID{}, pgerror.New(pgerror.CodeInternalError, "could not generate random values")
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u, nil
}
