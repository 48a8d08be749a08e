package seams

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// storeFile reports whether a file is a store file: the one place of a package where SQL, GORM
// and the raw *gorm.DB live (store.go, store_*.go, *_store.go).
func storeFile(name string) bool {
	return name == "store.go" || strings.HasPrefix(name, "store_") || strings.HasSuffix(name, "_store.go")
}

// sqlStatement matches a string literal that is an SQL statement of its own (an IMAP "SELECT
// INBOX" is not: a SELECT must read from somewhere, take a parameter or call the server).
var sqlStatement = regexp.MustCompile(`(?is)^\s*(select\s.*(\bfrom\b|\?|\bpg_)|insert\s+into\b|update\s+[a-z_]+\s+set\b|delete\s+from\b|with\s+[a-z_]+\s+as\b)`)

// TestDatabaseOnlyInStoreFiles keeps issue 11's seam shut for every package, present and future:
// outside store files, the database plumbing (internal/dbx, internal/testenv), the composition
// root (internal/app) and the commands, no code names *gorm.DB, unwraps a dbx.Tx with Gorm(), or
// holds an SQL statement. Domain code asks its store.
func TestDatabaseOnlyInStoreFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || storeFile(d.Name()) {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if free(pkg) {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		at := func(n ast.Node, what string) {
			p := fset.Position(n.Pos())
			found = append(found, pkg+"/"+d.Name()+":"+strconv.Itoa(p.Line)+": "+what)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && id.Name == "gorm" && x.Sel.Name == "DB" {
					at(x, "*gorm.DB")
				}
			case *ast.CallExpr:
				if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Gorm" && len(x.Args) == 0 {
					at(x, "Gorm() unwraps a transaction")
				}
			case *ast.BasicLit:
				if x.Kind == token.STRING {
					if s, err := strconv.Unquote(x.Value); err == nil && sqlStatement.MatchString(s) {
						at(x, "SQL statement")
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s outside a store file: move it into the package's store", f)
	}
}
