package findings

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxDepth is how deeply a spec or config may nest mappings and lists. Real API definitions nest a few
// dozen levels (paths, operations, responses, schemas within schemas); the cap keeps every walker over
// the tree (duplicate keys, intrinsics, conversion for kin-openapi, JSON encoding) cheap on a hostile or
// broken file. 1,000 is the default nesting limit of Jackson (StreamReadConstraints), the JSON parser of
// the Java stack API Gateway's importer is built on; AWS documents no figure of its own (assumed).
const MaxDepth = 1000

// yamlMaxDepth is the prefix of the YAML parser's own nesting limit error (it stops at 10,000 levels).
const yamlMaxDepth = "exceeded max depth of"

// tooDeep is the located error for a document nested more than MaxDepth levels.
func tooDeep(file string, line, col int) *SyntaxError {
	return &SyntaxError{File: file, Line: line, Column: col, Budget: true,
		Problem: fmt.Sprintf("the document nests mappings and lists more than %d levels deep", MaxDepth),
		Hint:    "API definitions and configs nest a few dozen levels at most; flatten the value that starts here (a schema can $ref another instead of nesting it)"}
}

// deeper returns the first node, in document order, that lies more than MaxDepth levels below root, or nil.
// It walks with an explicit stack so that its memory is linear in the depth however deep the tree is.
func deeper(root *yaml.Node) *yaml.Node {
	type step struct {
		n     *yaml.Node
		depth int
	}
	stack := []step{{root, 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.n == nil {
			continue
		}
		if s.depth > MaxDepth {
			return s.n
		}
		for i := len(s.n.Content) - 1; i >= 0; i-- {
			stack = append(stack, step{s.n.Content[i], s.depth + 1})
		}
	}
	return nil
}

// TooLargeError is a file over the size a command reads.
type TooLargeError struct {
	File  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: the file is larger than %s", e.File, Size(e.Limit))
}

// NotAFileError is a path that names a device, a pipe, a socket or a directory: reading one could block
// for ever or never end (validate /dev/zero), so only regular files are read.
type NotAFileError struct {
	File string
	Mode fs.FileMode
}

func (e *NotAFileError) Error() string {
	what := "not a regular file"
	switch {
	case e.Mode.IsDir():
		what = "a directory"
	case e.Mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case e.Mode&fs.ModeSocket != 0:
		what = "a socket"
	case e.Mode&fs.ModeCharDevice != 0:
		what = "a character device"
	case e.Mode&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Sprintf("%s is %s, not a file; give the path of a file", e.File, what)
}

// ReadFile reads the regular file at path, refusing one larger than limit bytes before reading it, and
// reading at most limit+1 bytes of one that grows meanwhile. Symbolic links are followed.
func ReadFile(path string, limit int64) ([]byte, error) {
	// Stat before opening: opening a FIFO for reading blocks until something writes to it.
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		return nil, &NotAFileError{File: path, Mode: st.Mode()}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotAFileError{File: path, Mode: st.Mode()}
	}
	if st.Size() > limit {
		return nil, &TooLargeError{File: path, Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{File: path, Limit: limit}
	}
	return data, nil
}

// Size writes a byte count as people write limits: 6 MB, 512 KB, 1,500 bytes (KB and MB are 1,024-based, as
// AWS counts its payload limits).
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ParseSize reads a size written as a number of bytes ("1048576") or with a unit: "512KB", "6MB", "1 GB"
// (1,024-based; KiB, MiB and GiB are accepted too).
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	var n int64
	if _, err := fmt.Sscan(t, &n); err != nil || n <= 0 || fmt.Sprint(n) != t || n > (1<<40)/mult {
		return 0, errors.New("a size is a positive number of bytes, or a number with KB, MB or GB (e.g. 6MB)")
	}
	return n * mult, nil
}
