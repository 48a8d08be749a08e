package seams

import (
	"go/ast"
	"go/token"
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
	var found []string
	eachSourceFile(t, func(pkg, name string) bool { return !storeFile(name) && !free(pkg) }, func(src sourceFile) {
		at := func(n ast.Node, what string) { found = append(found, src.at(n)+": "+what) }
		ast.Inspect(src.file, func(n ast.Node) bool {
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
	})
	sort.Strings(found)
	for _, f := range found {
		t.Errorf("%s outside a store file: move it into the package's store", f)
	}
}
