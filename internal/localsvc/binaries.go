package localsvc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// pgLibDirs is where Debian and Ubuntu install each PostgreSQL major version, off the PATH.
var pgLibDirs = "/usr/lib/postgresql/*/bin"

// postgresBinaries finds postgres on the PATH, else in the newest /usr/lib/postgresql/N/bin, and
// initdb beside it: an initdb of another major version would write a data directory that
// postgres refuses.
func postgresBinaries() (initdb, postgres string, err error) {
	postgres, err = exec.LookPath("postgres")
	if err != nil {
		postgres = newestLibBinary("postgres")
	}
	if postgres == "" {
		return "", "", fmt.Errorf("localsvc: postgres binary not found on PATH or in %s: %w", pgLibDirs, ErrNotInstalled)
	}
	if real, err := filepath.EvalSymlinks(postgres); err == nil {
		postgres = real
	}
	initdb = filepath.Join(filepath.Dir(postgres), "initdb")
	if _, err := os.Stat(initdb); err != nil {
		if initdb, err = exec.LookPath("initdb"); err != nil {
			return "", "", fmt.Errorf("localsvc: initdb binary not found beside %s or on PATH: %w", postgres, ErrNotInstalled)
		}
	}
	return initdb, postgres, nil
}

func newestLibBinary(name string) string {
	dirs, _ := filepath.Glob(pgLibDirs)
	var found []string
	for _, d := range dirs {
		if fi, err := os.Stat(filepath.Join(d, name)); err == nil && !fi.IsDir() {
			found = append(found, d)
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.Slice(found, func(i, j int) bool { return versionLess(versionOf(found[i]), versionOf(found[j])) })
	return filepath.Join(found[len(found)-1], name)
}

// versionOf reads the major version from /usr/lib/postgresql/<version>/bin.
func versionOf(binDir string) []int {
	var v []int
	for _, part := range strings.Split(filepath.Base(filepath.Dir(binDir)), ".") {
		n, _ := strconv.Atoi(part)
		v = append(v, n)
	}
	return v
}

func versionLess(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// redisBinary finds redis-server on the PATH.
func redisBinary() (string, error) {
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return "", fmt.Errorf("localsvc: redis-server binary not found on PATH: %w", ErrNotInstalled)
	}
	return p, nil
}
