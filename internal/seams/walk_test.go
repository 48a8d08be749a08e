package seams

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sourceFile is one parsed non-test Go file of the module.
type sourceFile struct {
	pkg  string // its folder, slash-separated, from the module root
	name string // its file name
	fset *token.FileSet
	file *ast.File
}

// at names n's place as pkg/name:line.
func (s sourceFile) at(n ast.Node) string {
	return s.pkg + "/" + s.name + ":" + strconv.Itoa(s.fset.Position(n.Pos()).Line)
}

// eachSourceFile parses every non-test Go file of the module (hidden folders apart) whose
// package folder and file name keep accepts, and hands it to fn. The seams tests read the
// module through it, so that present and future packages are held alike.
func eachSourceFile(t *testing.T, keep func(pkg, name string) bool, fn func(sourceFile)) {
	t.Helper()
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if !keep(pkg, d.Name()) {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		fn(sourceFile{pkg: pkg, name: d.Name(), fset: fset, file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
