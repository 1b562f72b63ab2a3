package parser

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// storageParams checks CREATE TABLE's WITH (storage parameters). They
// tune PostgreSQL's heap and vacuum, which rangedb does not have, so the
// ones tools send (pgbench's fillfactor, autovacuum switches) are
// accepted after PostgreSQL's validation and mean nothing; any other is
// 0A000.
func (t *translator) storageParams(opts []*pg_query.Node) error {
	for _, o := range opts {
		de := o.GetDefElem()
		if de == nil {
			return pgerror.Unsupported("WITH (storage parameters)")
		}
		name := de.Defname
		if de.Defnamespace != "" {
			name = de.Defnamespace + "." + name
		}
		val := ""
		if a := de.Arg; a != nil {
			switch v := a.GetNode().(type) {
			case *pg_query.Node_String_:
				val = v.String_.Sval
			case *pg_query.Node_Integer:
				val = strconv.Itoa(int(v.Integer.Ival))
			case *pg_query.Node_Float:
				val = v.Float.Fval
			case *pg_query.Node_Boolean:
				val = strconv.FormatBool(v.Boolean.Boolval)
			case *pg_query.Node_TypeName:
				if n := v.TypeName.GetNames(); len(n) > 0 {
					val = n[len(n)-1].GetString_().GetSval()
				}
			}
		}
		switch name {
		case "fillfactor":
			n, err := strconv.Atoi(val)
			if err != nil {
				return pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for integer option \"fillfactor\": %s", val)
			}
			if n < 10 || n > 100 {
				return pgerror.New(pgerror.CodeInvalidParameterValue, "value %s out of bounds for option \"fillfactor\"", val).
					WithDetail("Valid values are between \"10\" and \"100\".")
			}
		case "autovacuum_enabled", "toast.autovacuum_enabled":
			switch val {
			case "", "true", "false", "on", "off", "1", "0", "yes", "no":
			default:
				return pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for boolean option \"%s\": %s", de.Defname, val)
			}
		default:
			return t.unsupported("storage parameter "+name, de.Location)
		}
	}
	return nil
}
