package bestedm

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestNoFatalOutsideTestGoroutine enforces the testing package's rule that
// FailNow (require.*, t.Fatal*, t.Skip*) is called only from the goroutine
// running the test: from a handler or another goroutine it ends that
// goroutine, not the test, and the test goes on or hangs. It scans every
// _test.go file of the module for function literals that run elsewhere (the
// body of a go statement, an argument of HandleFunc or http.HandlerFunc, a
// function taking a *http.Request or an http.ResponseWriter) and reports
// each call in them to require, to a FailNow-family method, or to a helper
// of the same package that makes such a call.
func TestNoFatalOutsideTestGoroutine(t *testing.T) {
	fset := token.NewFileSet()
	type pkgFiles struct{ files []*ast.File }
	pkgs := map[string]*pkgFiles{} // directory -> its test files
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		if pkgs[dir] == nil {
			pkgs[dir] = &pkgFiles{}
		}
		pkgs[dir].files = append(pkgs[dir].files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, p := range pkgs {
		// Helpers whose bodies fail the test directly.
		fatalHelpers := map[string]bool{}
		for _, f := range p.files {
			for _, decl := range f.Decls {
				if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil && containsFatal(fd.Body, nil) {
					fatalHelpers[fd.Name.Name] = true
				}
			}
		}
		for _, f := range p.files {
			ast.Inspect(f, func(n ast.Node) bool {
				var lits []*ast.FuncLit
				switch n := n.(type) {
				case *ast.GoStmt:
					if fl, ok := n.Call.Fun.(*ast.FuncLit); ok {
						lits = append(lits, fl)
					}
				case *ast.CallExpr:
					if name := calleeName(n.Fun); name == "HandleFunc" || name == "HandlerFunc" {
						for _, a := range n.Args {
							if fl, ok := a.(*ast.FuncLit); ok {
								lits = append(lits, fl)
							}
						}
					}
				case *ast.FuncLit:
					if takesHTTP(n.Type) {
						lits = append(lits, n)
					}
				}
				for _, fl := range lits {
					ast.Inspect(fl.Body, func(m ast.Node) bool {
						if c, ok := m.(*ast.CallExpr); ok && isFatalCall(c, fatalHelpers) {
							bad = append(bad, fset.Position(c.Pos()).String())
						}
						return true
					})
				}
				return true
			})
		}
	}
	sort.Strings(bad)
	bad = dedupeSorted(bad)
	if len(bad) > 0 {
		t.Errorf("%d calls that end the goroutine outside the test goroutine (report with assert or a channel):\n%s",
			len(bad), strings.Join(bad, "\n"))
	}
}

// containsFatal reports whether body calls require, a FailNow-family
// method or one of helpers.
func containsFatal(body ast.Node, helpers map[string]bool) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok && isFatalCall(c, helpers) {
			found = true
		}
		return !found
	})
	return found
}

func isFatalCall(c *ast.CallExpr, helpers map[string]bool) bool {
	switch fun := c.Fun.(type) {
	case *ast.SelectorExpr:
		if id, ok := fun.X.(*ast.Ident); ok && id.Name == "require" {
			return true
		}
		switch fun.Sel.Name {
		case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
			return true
		}
	case *ast.Ident:
		return helpers[fun.Name]
	case *ast.IndexExpr: // a generic helper, helper[T](…)
		if id, ok := fun.X.(*ast.Ident); ok {
			return helpers[id.Name]
		}
	}
	return false
}

func calleeName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.Ident:
		return f.Name
	}
	return ""
}

// takesHTTP reports whether a function type has a *http.Request or an
// http.ResponseWriter parameter: a handler or a check a handler runs.
func takesHTTP(ft *ast.FuncType) bool {
	for _, p := range ft.Params.List {
		typ := p.Type
		if s, ok := typ.(*ast.StarExpr); ok {
			typ = s.X
		}
		if sel, ok := typ.(*ast.SelectorExpr); ok {
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "http" && (sel.Sel.Name == "Request" || sel.Sel.Name == "ResponseWriter") {
				return true
			}
		}
	}
	return false
}

func dedupeSorted(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
