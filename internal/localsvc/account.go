package localsvc

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// account is an OS user a server runs as when it cannot run as the caller.
type account struct {
	name     string
	uid, gid int
	groups   []int
}

// postgresUser is the OS user PostgreSQL runs as when the caller is root.
var postgresUser = "postgres"

// postgresAccount returns who PostgreSQL should run as: nil (the caller) unless the caller is
// root, which initdb and postgres refuse to be, in which case postgresUser.
func postgresAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(postgresUser)
	if err != nil {
		return nil, fmt.Errorf("localsvc: running as root, which PostgreSQL refuses, and there is no %q OS user to run it as "+
			"(create one, e.g. `useradd --system %[1]s`, or run as a non-root user): %[2]w", postgresUser, err)
	}
	return accountOf(u)
}

// accountOf reads an OS user's ids.
func accountOf(u *user.User) (*account, error) {
	a := &account{name: u.Username}
	var err error
	if a.uid, err = strconv.Atoi(u.Uid); err != nil {
		return nil, fmt.Errorf("localsvc: user %s: uid %q: %w", u.Username, u.Uid, err)
	}
	if a.gid, err = strconv.Atoi(u.Gid); err != nil {
		return nil, fmt.Errorf("localsvc: user %s: gid %q: %w", u.Username, u.Gid, err)
	}
	gids, _ := u.GroupIds() // without them the primary group is still known
	for _, g := range gids {
		if n, err := strconv.Atoi(g); err == nil {
			a.groups = append(a.groups, n)
		}
	}
	return a, nil
}

// prepareDataDir creates dir (mode 0700, as PostgreSQL demands) and, when the server runs as
// another user, checks that user can reach it and hands the directory over.
func prepareDataDir(dir string, as *account) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("localsvc: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("localsvc: %w", err)
	}
	if as == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		ok, err := canSearch(p, as)
		if err != nil {
			return fmt.Errorf("localsvc: %w", err)
		}
		if !ok {
			return fmt.Errorf("localsvc: data directory %s is not reachable by OS user %s (no search permission on %s); "+
				"a server started by root runs as that user, so keep its data somewhere that user can reach, such as under /tmp",
				dir, as.name, p)
		}
		if p == filepath.Dir(p) {
			break
		}
	}
	owned, err := ownedBy(dir, as)
	if err != nil || owned {
		return err
	}
	// Only a directory that was never the server's needs walking; an initialised one is owned
	// throughout already.
	return filepath.WalkDir(dir, func(path string, _ os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, as.uid, as.gid)
	})
}
