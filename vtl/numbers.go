package vtl

import (
	"math"
	"math/big"
)

// Arithmetic and comparison follow Velocity 1.7's MathUtils: integer operands (Integer, Long,
// BigInteger) compute in long and overflow into BigInteger, the result taking the wider operand type
// (Integer when both are Integers and it fits, else Long); any Double operand makes a double result;
// division truncates; division or modulo by zero gives null.

func isNumber(v any) bool {
	switch v.(type) {
	case int32, int64, float64, *big.Int, int, float32:
		return true
	}
	return false
}

func bigOf(v any) (*big.Int, bool) {
	b, ok := v.(*big.Int)
	return b, ok
}

func isIntegral(v any) bool {
	switch v.(type) {
	case int32, int64, *big.Int, int:
		return true
	}
	return false
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int32:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	case float32:
		return int64(n)
	case *big.Int:
		return n.Int64()
	}
	return 0
}

func toFloat(v any) float64 {
	switch n := v.(type) {
	case int32:
		return float64(n)
	case int64:
		return float64(n)
	case int:
		return float64(n)
	case float64:
		return n
	case float32:
		return float64(n)
	case *big.Int:
		f, _ := new(big.Float).SetInt(n).Float64()
		return f
	}
	return 0
}

func toBig(v any) *big.Int {
	if b, ok := v.(*big.Int); ok {
		return b
	}
	return big.NewInt(toInt64(v))
}

// compareNumbers compares two numbers by value (MathUtils.compare).
func compareNumbers(a, b any) int {
	if isIntegral(a) && isIntegral(b) {
		_, ab := a.(*big.Int)
		_, bb := b.(*big.Int)
		if ab || bb {
			return toBig(a).Cmp(toBig(b))
		}
		x, y := toInt64(a), toInt64(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	x, y := toFloat(a), toFloat(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// wrapInt narrows a long result to the wider operand type: Integer when both are Integers and it fits.
func wrapInt(n int64, a, b any) any {
	_, al := a.(int64)
	_, bl := b.(int64)
	if !al && !bl && n >= math.MinInt32 && n <= math.MaxInt32 {
		return int32(n)
	}
	return n
}

func arith(op binOp, a, b any) any {
	if isIntegral(a) && isIntegral(b) {
		_, ab := a.(*big.Int)
		_, bb := b.(*big.Int)
		if ab || bb {
			x, y := toBig(a), toBig(b)
			r := new(big.Int)
			switch op {
			case opAdd:
				return r.Add(x, y)
			case opSub:
				return r.Sub(x, y)
			case opMul:
				return r.Mul(x, y)
			case opDiv:
				if y.Sign() == 0 {
					return nil
				}
				return r.Quo(x, y)
			case opMod:
				if y.Sign() == 0 {
					return nil
				}
				return r.Rem(x, y)
			}
			return nil
		}
		x, y := toInt64(a), toInt64(b)
		switch op {
		case opAdd:
			r := x + y
			if (r^x) < 0 && (r^y) < 0 {
				return new(big.Int).Add(big.NewInt(x), big.NewInt(y))
			}
			return wrapInt(r, a, b)
		case opSub:
			r := x - y
			if (x^y) < 0 && (r^x) < 0 {
				return new(big.Int).Sub(big.NewInt(x), big.NewInt(y))
			}
			return wrapInt(r, a, b)
		case opMul:
			r := x * y
			if x != 0 && (r/x != y || (x == -1 && y == math.MinInt64)) {
				return new(big.Int).Mul(big.NewInt(x), big.NewInt(y))
			}
			return wrapInt(r, a, b)
		case opDiv:
			if y == 0 {
				return nil
			}
			if x == math.MinInt64 && y == -1 {
				return wrapInt(x, a, b)
			}
			return wrapInt(x/y, a, b)
		case opMod:
			if y == 0 {
				return nil
			}
			if y == -1 {
				return wrapInt(0, a, b)
			}
			return wrapInt(x%y, a, b)
		}
		return nil
	}
	x, y := toFloat(a), toFloat(b)
	switch op {
	case opAdd:
		return x + y
	case opSub:
		return x - y
	case opMul:
		return x * y
	case opDiv:
		if y == 0 {
			return nil
		}
		return x / y
	case opMod:
		if y == 0 {
			return nil
		}
		return math.Mod(x, y)
	}
	return nil
}

func negate(v any) any {
	switch n := v.(type) {
	case int32:
		if n == math.MinInt32 {
			return -int64(n)
		}
		return -n
	case int64:
		if n == math.MinInt64 {
			return new(big.Int).Neg(big.NewInt(n))
		}
		return -n
	case float64:
		return -n
	case *big.Int:
		return new(big.Int).Neg(n)
	}
	return nil
}

// velocityEquals is Velocity's ==: numbers compare by value; values of the same class use equals();
// values of different classes compare their toString(). Null equals only null (in API Gateway mode a
// null reference has already become "").
func velocityEquals(l, r any) bool {
	if l == nil || r == nil {
		return l == nil && r == nil
	}
	if isNumber(l) && isNumber(r) {
		return compareNumbers(l, r) == 0
	}
	if sameClass(l, r) {
		return javaEquals(l, r)
	}
	return ToString(l) == ToString(r)
}

func sameClass(a, b any) bool {
	switch a.(type) {
	case string:
		_, ok := b.(string)
		return ok
	case bool:
		_, ok := b.(bool)
		return ok
	case *Map:
		_, ok := b.(*Map)
		return ok
	case *List:
		_, ok := b.(*List)
		return ok
	case *mapEntry:
		_, ok := b.(*mapEntry)
		return ok
	}
	return false
}

// javaEquals is Java's Object.equals for template values.
func javaEquals(a, b any) bool { return javaEqualsDepth(a, b, 0) }

func javaEqualsDepth(a, b any, depth int) bool {
	if depth > maxPrintDepth {
		return false // a cyclic structure: Java would overflow its stack
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int32:
		y, ok := b.(int32)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || math.IsNaN(x) && math.IsNaN(y))
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && x.Cmp(y) == 0
	case *List:
		y, ok := b.(*List)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		if len(x.items) != len(y.items) {
			return false
		}
		for i := range x.items {
			if !javaEqualsDepth(x.items[i], y.items[i], depth+1) {
				return false
			}
		}
		return true
	case *Map:
		y, ok := b.(*Map)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		if len(x.keys) != len(y.keys) {
			return false
		}
		for i, k := range x.keys {
			yv, ok := y.Get(k)
			if !ok || !javaEqualsDepth(x.vals[i], yv, depth+1) {
				return false
			}
		}
		return true
	case *mapEntry:
		y, ok := b.(*mapEntry)
		return ok && x.key == y.key && javaEqualsDepth(x.val, y.val, depth+1)
	}
	return a == b
}
