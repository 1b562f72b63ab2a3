package exec

// The C library's math functions, which PostgreSQL's double precision
// functions call: Go's math package differs from glibc in the last bit of
// some results (tan(1), cbrt(27)), and a query must print what PostgreSQL
// prints.

/*
#cgo LDFLAGS: -lm
#include <math.h>
*/
import "C"

func libmCbrt(x float64) float64     { return float64(C.cbrt(C.double(x))) }
func libmExp(x float64) float64      { return float64(C.exp(C.double(x))) }
func libmLog(x float64) float64      { return float64(C.log(C.double(x))) }
func libmLog10(x float64) float64    { return float64(C.log10(C.double(x))) }
func libmSin(x float64) float64      { return float64(C.sin(C.double(x))) }
func libmCos(x float64) float64      { return float64(C.cos(C.double(x))) }
func libmTan(x float64) float64      { return float64(C.tan(C.double(x))) }
func libmAsin(x float64) float64     { return float64(C.asin(C.double(x))) }
func libmAcos(x float64) float64     { return float64(C.acos(C.double(x))) }
func libmAtan(x float64) float64     { return float64(C.atan(C.double(x))) }
func libmAtan2(y, x float64) float64 { return float64(C.atan2(C.double(y), C.double(x))) }
