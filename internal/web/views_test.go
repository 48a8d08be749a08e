package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
)

// copyFS is the embedded content as a map the test may change.
func copyFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(content, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(content, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The embedded views and catalogues load: every view exists, every message a template names is
// in both catalogues.
func TestViewsLoad(t *testing.T) {
	if _, err := loadViews(content, viewNames); err != nil {
		t.Fatal(err)
	}
}

// The engine refuses to start when a view is missing, when a template names a message the
// catalogues lack, or when the catalogues' keys differ.
func TestViewsRefuseToStart(t *testing.T) {
	m := copyFS(t)
	delete(m, "views/incident.html")
	if _, err := loadViews(m, viewNames); err == nil || !strings.Contains(err.Error(), "view incident is missing") {
		t.Errorf("missing view: %v", err)
	}
	m = copyFS(t)
	m["views/queue.html"] = &fstest.MapFile{Data: []byte(`{{define "content"}}{{t "queue.no_such_message"}}{{end}}`)}
	if _, err := loadViews(m, viewNames); err == nil || !strings.Contains(err.Error(), "queue.no_such_message") {
		t.Errorf("unknown message: %v", err)
	}
	m = copyFS(t)
	m["messages/ja.json"] = &fstest.MapFile{Data: []byte(`{"app.name": "supportd"}`)}
	if _, err := loadViews(m, viewNames); err == nil || !strings.Contains(err.Error(), "different keys") {
		t.Errorf("catalogues differ: %v", err)
	}
}

// Every catalogue entry is used somewhere or built at run time, and no text is hard-coded in a
// template: outside tags and attributes a template holds only whitespace and punctuation.
func TestNoHardCodedText(t *testing.T) {
	files, _ := fs.Glob(content, "views/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(content, f)
		text := tagOrAction.ReplaceAllString(string(b), " ")
		for _, word := range strings.Fields(text) {
			if strings.IndexFunc(word, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
				t.Errorf("%s: hard-coded text %q", f, word)
			}
		}
	}
}

// tagOrAction matches HTML tags (with their attributes), comments and template actions.
var tagOrAction = regexp.MustCompile(`(?s)<[^>]*>|\{\{.*?\}\}`)

func TestCataloguesMergeAreasAndRefuseDuplicates(t *testing.T) {
	fsys := fstest.MapFS{
		"messages/en.json":       {Data: []byte(`{"a": "A"}`)},
		"messages/ja.json":       {Data: []byte(`{"a": "エー"}`)},
		"messages/staff.en.json": {Data: []byte(`{"b": "B"}`)},
		"messages/staff.ja.json": {Data: []byte(`{"b": "ビー"}`)},
	}
	cats, err := loadCatalogues(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if cats["en"].T("b") != "B" || cats["ja"].T("a") != "エー" {
		t.Fatalf("merged catalogues = %v", cats)
	}
	fsys["messages/admin.en.json"] = &fstest.MapFile{Data: []byte(`{"a": "again"}`)}
	fsys["messages/admin.ja.json"] = &fstest.MapFile{Data: []byte(`{}`)}
	if _, err := loadCatalogues(fsys); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Fatalf("a key defined twice: err = %v", err)
	}
}
