package api

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// webOnlyCodes are error codes that only the web pages or the startup log see: the API never
// answers with them, so README's API error table leaves them out.
var webOnlyCodes = map[string]bool{
	"invalid_credentials": true, "invalid_link": true, "oidc_no_staff_user": true,
	"sign_in_throttled": true, "token_revoked": true,
}

// TestEveryErrorCodeIsInTheReadme: every machine-readable code the code base can return is in
// README's error table, so a branch that adds one cannot forget the documentation.
func TestEveryErrorCodeIsInTheReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	codeRe := regexp.MustCompile(`(?:apperr\.New\([^,]+, |Code: |conflict\()"([a-z_]+)"`)
	seen := map[string]string{}
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == ".data" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range codeRe.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 40 {
		t.Fatalf("found only %d codes: the pattern no longer matches how codes are written", len(seen))
	}
	for code, path := range seen {
		if !webOnlyCodes[code] && !strings.Contains(string(readme), "`"+code+"`") {
			t.Errorf("%s (in %s) is not in README's error table", code, path)
		}
	}
}
