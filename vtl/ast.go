package vtl

// The AST. Every node that can fail at run time keeps its byte offset in the template (pos); the
// Template turns offsets into line:column only when it reports an error.

type node any

// textNode is literal output.
type textNode struct {
	pos int
	s   string
}

// refNode is a reference: $a, $!a, ${a}, $a.b.c(1)[2]. As an expression it evaluates to its value.
type refNode struct {
	pos     int
	root    string
	parts   []refPart
	quiet   bool
	escapes int    // backslashes written right before the '$' (text references only)
	literal string // source text from '$' on, printed for null references in stock Velocity
}

type partKind uint8

const (
	partProp partKind = iota
	partMethod
	partIndex
)

type refPart struct {
	kind partKind
	pos  int
	name string
	args []expr // method arguments, or the single index expression
	re   *compiledRegex
}

type setNode struct {
	pos int
	lhs *refNode
	rhs expr
}

type ifNode struct {
	pos    int
	conds  []expr
	blocks [][]node
	els    []node // nil when there is no #else
}

type foreachNode struct {
	pos     int
	varName string
	iter    expr
	body    []node
}

type defineNode struct {
	name string
	body []node
}

type stopNode struct{}

type breakNode struct {
	pos   int
	scope *refNode // nil: the innermost #foreach
}

// macroNode is an ignored #macro definition (API Gateway mode): it renders nothing.
type macroNode struct{}

// Expressions.
type expr any

type constExpr struct{ v any }

type interpExpr struct {
	pos   int
	nodes []node
}

type listExpr struct{ elems []expr }

type mapExpr struct{ keys, vals []expr }

type rangeExpr struct {
	pos    int
	lo, hi expr
}

type binOp uint8

const (
	opOr binOp = iota
	opAnd
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
)

type binExpr struct {
	op         binOp
	pos        int
	l, r       expr
	lsrc, rsrc string // operand source text ('+' with a null operand concatenates it)
}

type notExpr struct{ x expr }

type negExpr struct {
	pos int
	x   expr
}
