package tickets

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryProducedKindHasAnAudience reads this package's source: every timeline entry it builds
// (an Event literal's Kind, an assignment to an Event's Kind) must name its kind statically, as
// a string, a constant of this package or an sla event kind, and that kind must have an audience
// decision in eventVisibility. A new kind written without one fails here before a customer could
// read it (the read path would show it to staff only).
func TestEveryProducedKindHasAnAudience(t *testing.T) {
	fset := token.NewFileSet()
	slaConsts := stringConsts(t, fset, "../sla")
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	own := map[string]ast.Expr{}
	for _, f := range parsed {
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							own[n.Name] = vs.Values[i]
						}
					}
				}
			}
		}
	}
	var eval func(e ast.Expr) (string, bool)
	eval = func(e ast.Expr) (string, bool) {
		switch v := e.(type) {
		case *ast.BasicLit:
			s, err := strconv.Unquote(v.Value)
			return s, err == nil
		case *ast.Ident:
			if x, ok := own[v.Name]; ok {
				return eval(x)
			}
		case *ast.CallExpr: // string(sla.X)
			if fn, ok := v.Fun.(*ast.Ident); ok && fn.Name == "string" && len(v.Args) == 1 {
				if sel, ok := v.Args[0].(*ast.SelectorExpr); ok {
					if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "sla" {
						s, ok := slaConsts[sel.Sel.Name]
						return s, ok
					}
				}
			}
		}
		return "", false
	}
	found := 0
	check := func(pos token.Pos, e ast.Expr) {
		if sel, ok := e.(*ast.SelectorExpr); ok && sel.Sel.Name == "Kind" {
			return // a kind copied from a stored row or another entry: its producer is checked
		}
		found++
		kind, ok := eval(e)
		switch {
		case !ok:
			t.Errorf("%s: a timeline entry's kind is not a constant; name it so its audience can be decided", fset.Position(pos))
		case EventAudience(kind) == AudienceStaff && !decided(kind):
			t.Errorf("%s: kind %q has no audience decision in eventVisibility (audience.go)", fset.Position(pos), kind)
		}
	}
	checkLit := func(lit *ast.CompositeLit) {
		for _, el := range lit.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Kind" {
					check(kv.Pos(), kv.Value)
				}
			}
		}
	}
	for _, f := range parsed {
		ast.Inspect(f, func(n ast.Node) bool {
			switch v := n.(type) {
			case *ast.CompositeLit:
				if isEvent(v.Type) {
					checkLit(v)
				}
				if arr, ok := v.Type.(*ast.ArrayType); ok && isEvent(arr.Elt) {
					for _, el := range v.Elts { // []Event{{Kind: …}}: the element type is elided
						if lit, ok := el.(*ast.CompositeLit); ok && lit.Type == nil {
							checkLit(lit)
						}
					}
				}
			case *ast.AssignStmt:
				for i, l := range v.Lhs {
					if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "Kind" && i < len(v.Rhs) {
						check(v.Pos(), v.Rhs[i])
					}
				}
			}
			return true
		})
	}
	if found < 20 {
		t.Fatalf("found only %d places that set a kind: the scan no longer sees the producers", found)
	}
}

func decided(kind string) bool { _, ok := eventVisibility[kind]; return ok }

// stringConsts returns the string constants declared in a package's non-test files.
func stringConsts(t *testing.T, fset *token.FileSet, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.CONST {
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i < len(vs.Values) {
							if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								out[n.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				}
			}
		}
	}
	return out
}

func isEvent(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "Event"
}
