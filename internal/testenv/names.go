package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// prefix starts the name of every database this package creates, so leftovers can be found.
const prefix = "t_"

// newDatabaseName returns t_<package>_<pid>_<random>: the package and pid say whose it is to a
// person looking at the server, the random part keeps names unique. PostgreSQL truncates names
// past 63 bytes, so the package part gives way.
func newDatabaseName() string {
	suffix := fmt.Sprintf("_%d_%s", os.Getpid(), randomHex(4))
	pkg := packageName()
	if room := 63 - len(prefix) - len(suffix); len(pkg) > room {
		pkg = pkg[:room]
	}
	return prefix + pkg + suffix
}

// packageName is the test binary's name less ".test": go test names it after the package.
func packageName() string {
	base := strings.TrimSuffix(filepath.Base(os.Args[0]), ".test")
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "pkg"
	}
	return b.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails on supported platforms
	return hex.EncodeToString(b)
}

// marker is what a test database's comment says about who created it, so that a later run can
// tell a crashed run's leftovers from a running one's databases.
type marker struct {
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Created time.Time `json:"created"`
}

const markerPrefix = "testenv "

func newMarker() marker {
	return marker{Host: hostname(), PID: os.Getpid(), Created: time.Now().UTC()}
}

func (m marker) String() string {
	b, _ := json.Marshal(m)
	return markerPrefix + string(b)
}

func parseMarker(s string) (marker, bool) {
	var m marker
	rest, ok := strings.CutPrefix(s, markerPrefix)
	if !ok || json.Unmarshal([]byte(rest), &m) != nil {
		return marker{}, false
	}
	return m, true
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}

// quoteLiteral quotes s as an SQL string literal (standard_conforming_strings on).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
