package types

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// PostgreSQL's numeric limits (numeric.c).
const (
	numericMinSigDigits = 16
	numericMaxDispScale = 1000
	// numericMaxWeightDigits bounds the digits before the decimal point
	// (NUMERIC_MAX_PRECISION-ish: PostgreSQL allows 131072).
	numericMaxWeightDigits = 131072
	numericMaxScaleDigits  = 16383
)

// exactCtx performs exact decimal arithmetic (add, sub, mul, rem): its
// precision exceeds any value PostgreSQL's numeric can hold.
var exactCtx = func() *apd.Context {
	c := apd.BaseContext.WithPrecision(numericMaxWeightDigits + numericMaxScaleDigits + 100)
	c.Rounding = apd.RoundHalfUp
	return c
}()

var big10 = big.NewInt(10)

func pow10(n int64) *big.Int {
	return new(big.Int).Exp(big10, big.NewInt(n), nil)
}

// NewDDecimal returns a numeric datum of d (copied), normalizing negative
// zero.
func NewDDecimal(d *apd.Decimal) *DDecimal {
	r := &DDecimal{}
	r.Set(d)
	normalizeDecimal(&r.Decimal)
	return r
}

// DecimalFromInt returns the numeric v with scale 0.
func DecimalFromInt(v int64) *DDecimal {
	r := &DDecimal{}
	r.SetInt64(v)
	return r
}

func normalizeDecimal(d *apd.Decimal) {
	if d.Form == apd.NaNSignaling {
		d.Form = apd.NaN
	}
	if d.Form == apd.NaN {
		d.Negative = false
	}
	if d.Form == apd.Finite && d.Coeff.Sign() == 0 {
		d.Negative = false
	}
}

func isNaN(d *apd.Decimal) bool { return d.Form == apd.NaN || d.Form == apd.NaNSignaling }

// decimalScale returns PostgreSQL's display scale of d.
func decimalScale(d *apd.Decimal) int32 {
	if d.Form != apd.Finite || d.Exponent >= 0 {
		return 0
	}
	return -d.Exponent
}

// parseNumeric is numeric_in.
func parseNumeric(s string) (*DDecimal, error) {
	str := strings.TrimSpace(s)
	bad := func() error {
		return pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type numeric: \"%s\"", s)
	}
	r := &DDecimal{}
	switch strings.ToLower(str) {
	case "nan":
		r.Form = apd.NaN
		return r, nil
	case "infinity", "+infinity", "inf", "+inf":
		r.Form = apd.Infinite
		return r, nil
	case "-infinity", "-inf":
		r.Form = apd.Infinite
		r.Negative = true
		return r, nil
	}
	// Validate the syntax ourselves: apd accepts spellings PostgreSQL
	// does not.
	i := 0
	if i < len(str) && (str[i] == '+' || str[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(str) && str[i] >= '0' && str[i] <= '9'; i++ {
		digits++
	}
	if i < len(str) && str[i] == '.' {
		i++
		for ; i < len(str) && str[i] >= '0' && str[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return nil, bad()
	}
	if i < len(str) && (str[i] == 'e' || str[i] == 'E') {
		i++
		if i < len(str) && (str[i] == '+' || str[i] == '-') {
			i++
		}
		ed := 0
		for ; i < len(str) && str[i] >= '0' && str[i] <= '9'; i++ {
			ed++
		}
		if ed == 0 {
			return nil, bad()
		}
	}
	if i != len(str) {
		return nil, bad()
	}
	if _, _, err := r.SetString(str); err != nil {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	// PostgreSQL keeps no negative display scale: 1e3 is 1000.
	if r.Exponent > 0 {
		if r.Exponent > numericMaxWeightDigits {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
		}
		setScale(&r.Decimal, 0)
	}
	if -r.Exponent > numericMaxDispScale*1000 {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	normalizeDecimal(&r.Decimal)
	return r, nil
}

// formatDecimal is numeric_out.
func formatDecimal(b []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(b, "NaN"...)
	case apd.Infinite:
		if d.Negative {
			return append(b, "-Infinity"...)
		}
		return append(b, "Infinity"...)
	}
	if d.Coeff.Sign() == 0 && d.Negative {
		var z apd.Decimal
		z.Set(d)
		z.Negative = false
		return append(b, z.Text('f')...)
	}
	return append(b, d.Text('f')...)
}

// setScale rounds d (finite) to s digits after the decimal point, half
// away from zero, or pads it with zeros: afterwards d.Exponent == -s.
func setScale(d *apd.Decimal, s int32) {
	if d.Form != apd.Finite || d.Exponent == -s {
		return
	}
	c := d.Coeff.MathBigInt()
	if d.Exponent > -s {
		c.Mul(c, pow10(int64(d.Exponent+s)))
	} else {
		div := pow10(int64(-s - d.Exponent))
		q, r := new(big.Int).QuoRem(c, div, new(big.Int))
		r.Abs(r).Lsh(r, 1)
		if r.Cmp(div) >= 0 {
			q.Add(q, big.NewInt(int64(c.Sign())))
		}
		c = q
	}
	d.Coeff.SetMathBigInt(c)
	if d.Coeff.Sign() < 0 {
		d.Coeff.Neg(&d.Coeff)
	}
	d.Exponent = -s
	normalizeDecimal(d)
}

// roundDecimal returns x rounded to scale s (half away from zero).
func roundDecimal(x *apd.Decimal, s int32) *DDecimal {
	r := &DDecimal{}
	r.Set(x)
	setScale(&r.Decimal, s)
	return r
}

// applyNumericTypmod is PostgreSQL's apply_typmod: round to the scale of
// t, then reject a value with too many integer digits.
func applyNumericTypmod(x *DDecimal, t *T) (*DDecimal, error) {
	if !t.HasPrecision() {
		return x, nil
	}
	p, s := t.Precision(), t.Scale()
	switch x.Form {
	case apd.NaN, apd.NaNSignaling:
		return x, nil
	case apd.Infinite:
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "numeric field overflow").
			WithDetail("A field with precision %d, scale %d cannot hold an infinite value.", p, s)
	}
	r := roundDecimal(&x.Decimal, int32(s))
	maxDigits := p - s
	if r.Coeff.Sign() != 0 {
		// Digits before the decimal point: NumDigits + exponent.
		intDigits := int(r.NumDigits()) + int(r.Exponent)
		if intDigits > maxDigits {
			msg := "10^" + strconv.Itoa(maxDigits)
			if maxDigits == 0 {
				msg = "1"
			}
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "numeric field overflow").
				WithDetail("A field with precision %d, scale %d must round to an absolute value less than %s.", p, s, msg)
		}
	}
	if s < 0 {
		// A negative scale keeps no fraction digits: 123.456 in
		// numeric(5,-1) is 120.
		setScale(&r.Decimal, 0)
	}
	return r, nil
}

// decimalToFloat is numeric_float8 (correctly rounded; NaN and the
// infinities map to their float counterparts).
func decimalToFloat(d *apd.Decimal) float64 {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return canonicalNaN
	case apd.Infinite:
		if d.Negative {
			return math.Inf(-1)
		}
		return math.Inf(1)
	}
	f, err := strconv.ParseFloat(d.Text('e'), 64)
	if err != nil && !math.IsInf(f, 0) {
		return canonicalNaN
	}
	return f
}

// floatToDecimal is float8_numeric (digits 15) and float4_numeric (digits
// 6): the float printed with %.*g, then read as numeric.
func floatToDecimal(f float64, digits int) *DDecimal {
	r := &DDecimal{}
	switch {
	case math.IsNaN(f):
		r.Form = apd.NaN
		return r
	case math.IsInf(f, 0):
		r.Form = apd.Infinite
		r.Negative = f < 0
		return r
	}
	s := strconv.FormatFloat(f, 'g', digits, 64)
	d, err := parseNumeric(s)
	if err != nil {
		r.Form = apd.NaN
		return r
	}
	return d
}

// decimalToInt is numeric_int8 etc.: round half away from zero, then check
// the width of t.
func decimalToInt(d *apd.Decimal, t *T) (DInt, error) {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return 0, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot convert NaN to %s", intTypeWord(t))
	case apd.Infinite:
		return 0, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot convert infinity to %s", intTypeWord(t))
	}
	r := roundDecimal(d, 0)
	c := r.Coeff.MathBigInt()
	if r.Negative {
		c.Neg(c)
	}
	if !c.IsInt64() {
		return 0, OutOfRange(t)
	}
	v := c.Int64()
	if err := CheckIntWidth(t, v); err != nil {
		return 0, err
	}
	return DInt(v), nil
}

func intTypeWord(t *T) string {
	switch t.Width {
	case 16:
		return "smallint"
	case 32:
		return "integer"
	}
	return "bigint"
}

// decimalWeight returns PostgreSQL's base-10000 weight and first digit of
// a finite nonzero d (the inputs of select_div_scale).
func decimalWeight(d *apd.Decimal) (weight int, first int) {
	nv := toNumericVar(d)
	for i, dg := range nv.digits {
		if dg != 0 {
			return nv.weight - i, int(dg)
		}
	}
	return 0, 0
}

// numericVar is PostgreSQL's NumericVar: base-10000 digits, weight of the
// first digit, display scale.
type numericVar struct {
	weight int
	dscale int
	neg    bool
	digits []int16
}

// toNumericVar converts a finite decimal to base 10000, stripping leading
// and trailing zero digits as PostgreSQL's make_result does.
func toNumericVar(d *apd.Decimal) numericVar {
	nv := numericVar{dscale: int(decimalScale(d)), neg: d.Negative}
	coeff := d.Coeff.Text(10)
	if coeff == "0" {
		nv.neg = false
		return nv
	}
	exp := int(d.Exponent)
	// Align the digit string so the decimal point falls on a multiple
	// of 4: pad on the right until exp%4 == 0, on the left to a
	// multiple of 4 digits.
	for ((exp%4)+4)%4 != 0 {
		coeff += "0"
		exp--
	}
	if pad := (4 - len(coeff)%4) % 4; pad > 0 {
		coeff = strings.Repeat("0", pad) + coeff
	}
	n := len(coeff) / 4
	digits := make([]int16, n)
	for i := 0; i < n; i++ {
		v, _ := strconv.Atoi(coeff[i*4 : i*4+4])
		digits[i] = int16(v)
	}
	// The last group's weight is exp/4; the first's is that plus n-1.
	nv.weight = exp/4 + n - 1
	for len(digits) > 0 && digits[0] == 0 {
		digits = digits[1:]
		nv.weight--
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	nv.digits = digits
	return nv
}

// fromNumericVar converts base-10000 digits back to a decimal with the
// display scale dscale.
func fromNumericVar(nv numericVar) *DDecimal {
	var sb strings.Builder
	if len(nv.digits) == 0 {
		sb.WriteByte('0')
	}
	for _, dg := range nv.digits {
		s := strconv.Itoa(int(dg))
		sb.WriteString(strings.Repeat("0", 4-len(s)))
		sb.WriteString(s)
	}
	r := &DDecimal{}
	c, _ := new(big.Int).SetString(sb.String(), 10)
	r.Coeff.SetMathBigInt(c)
	if len(nv.digits) > 0 {
		r.Exponent = int32((nv.weight - len(nv.digits) + 1) * 4)
	}
	r.Negative = nv.neg
	setScale(&r.Decimal, int32(nv.dscale))
	normalizeDecimal(&r.Decimal)
	return r
}

// selectDivScale is PostgreSQL's select_div_scale.
func selectDivScale(x, y *apd.Decimal) int32 {
	w1, f1 := decimalWeight(x)
	w2, f2 := decimalWeight(y)
	qweight := w1 - w2
	if f1 <= f2 {
		qweight--
	}
	rscale := numericMinSigDigits - qweight*4
	rscale = max(rscale, int(decimalScale(x)), int(decimalScale(y)), 0)
	rscale = min(rscale, numericMaxDispScale)
	return int32(rscale)
}

// divDecimal returns x/y rounded (half away from zero) to rscale digits.
func divDecimal(x, y *apd.Decimal, rscale int32) *DDecimal {
	// x/y*10^rscale = cx/cy * 10^(ex-ey+rscale).
	num := x.Coeff.MathBigInt()
	den := y.Coeff.MathBigInt()
	k := int64(x.Exponent) - int64(y.Exponent) + int64(rscale)
	if k >= 0 {
		num.Mul(num, pow10(k))
	} else {
		den.Mul(den, pow10(-k))
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	r.Lsh(r, 1)
	if r.CmpAbs(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	res := &DDecimal{}
	res.Coeff.SetMathBigInt(q)
	res.Exponent = -rscale
	res.Negative = x.Negative != y.Negative
	normalizeDecimal(&res.Decimal)
	return res
}
