package localsvc

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// DovecotOptions tunes a server started by StartDovecot.
type DovecotOptions struct {
	// Password every user logs in with (a static passdb: any user name exists). Empty means
	// "secret".
	Password string
	// LMTP also starts Dovecot's LMTP service, for delivering mail as a mail server would.
	// Errors wrap ErrNotInstalled when Dovecot's lmtp binary (Debian: dovecot-lmtpd) is missing.
	LMTP bool
}

// Dovecot is a running Dovecot IMAP server started by this package: its own configuration,
// runtime directory and maildirs in one directory, listening on 127.0.0.1 only.
type Dovecot struct {
	// IMAPAddr is host:port of the plain IMAP listener (no TLS; Dovecot counts loopback as
	// secure, so LOGIN works).
	IMAPAddr string
	// LMTPAddr is host:port of the LMTP listener, when DovecotOptions.LMTP was set.
	LMTPAddr string
	// Dir is the absolute path of the server's directory; mail is in Dir/mail/<user>.
	Dir string
	// Password is the password of every user.
	Password string

	mu   sync.Mutex
	proc *process
}

const (
	dovecotStopSignal  = syscall.SIGTERM
	dovecotStopTimeout = 15 * time.Second
)

// dovecotUser is who Dovecot runs as when the caller is root: the Debian package's own user.
var dovecotUser = "dovecot"

// DovecotInstalled reports whether the dovecot binary is on this machine, and whether its LMTP
// service is.
func DovecotInstalled() (imap, lmtp bool) {
	bin, err := dovecotBinary()
	if err != nil {
		return false, false
	}
	return true, dovecotLMTP(bin) != ""
}

func dovecotBinary() (string, error) {
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p, nil
	}
	// /usr/sbin is not on every user's PATH.
	if _, err := os.Stat(dovecotFallback); err == nil {
		return dovecotFallback, nil
	}
	return "", fmt.Errorf("localsvc: dovecot binary not found on PATH or as %s: %w", dovecotFallback, ErrNotInstalled)
}

// dovecotFallback is where Debian installs dovecot, off most users' PATH.
var dovecotFallback = "/usr/sbin/dovecot"

// dovecotLMTP finds the lmtp service beside Dovecot's other services (Debian: /usr/lib/dovecot,
// elsewhere libexec).
func dovecotLMTP(bin string) string {
	prefix := filepath.Dir(filepath.Dir(bin))
	for _, d := range []string{"lib/dovecot", "libexec/dovecot"} {
		p := filepath.Join(prefix, d, "lmtp")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// StartDovecot starts Dovecot in dir (created if missing) and returns once it greets IMAP
// clients (and LMTP clients, if asked). It runs as the calling user with every service in that
// one account (Dovecot's rootless mode: no chroot, no privilege separation), or, when the
// caller is root, as the dovecot OS user, who must be able to reach dir (so not under a
// private temporary directory). No system service, configuration or port is touched.
//
// If ctx has no deadline, startup is given one minute. Errors wrap ErrNotInstalled when
// Dovecot (or its LMTP service, if asked) is missing; others include the server's last output.
func StartDovecot(ctx context.Context, dir string, log io.Writer, opts DovecotOptions) (*Dovecot, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localsvc: %w", err)
	}
	bin, err := dovecotBinary()
	if err != nil {
		return nil, err
	}
	if opts.LMTP && dovecotLMTP(bin) == "" {
		return nil, fmt.Errorf("localsvc: Dovecot's lmtp service (Debian package dovecot-lmtpd) is missing: %w", ErrNotInstalled)
	}
	if opts.Password == "" {
		opts.Password = "secret"
	}
	run, as, err := dovecotAccount()
	if err != nil {
		return nil, err
	}
	if err := prepareDataDir(dir, as); err != nil {
		return nil, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	d := &Dovecot{Dir: dir, Password: opts.Password}
	for attempt := 1; ; attempt++ {
		imapPort, err := FreePort()
		if err != nil {
			return nil, err
		}
		lmtpPort := 0
		if opts.LMTP {
			if lmtpPort, err = FreePort(); err != nil {
				return nil, err
			}
		}
		conf := filepath.Join(dir, "dovecot.conf")
		if err := os.WriteFile(conf, []byte(dovecotConfig(dir, run, opts.Password, imapPort, lmtpPort)), 0o644); err != nil {
			return nil, fmt.Errorf("localsvc: %w", err)
		}
		if as != nil {
			if err := os.Chown(conf, as.uid, as.gid); err != nil {
				return nil, fmt.Errorf("localsvc: %w", err)
			}
		}
		proc, err := startProcess(procSpec{
			name: "dovecot", path: bin, args: []string{"-F", "-c", conf}, dir: dir, as: as, log: log, stopSig: dovecotStopSignal,
		})
		if err != nil {
			return nil, err
		}
		imapAddr := fmt.Sprintf("127.0.0.1:%d", imapPort)
		lmtpAddr := ""
		if lmtpPort != 0 {
			lmtpAddr = fmt.Sprintf("127.0.0.1:%d", lmtpPort)
		}
		err = waitReady(ctx, proc, func(ctx context.Context) error {
			if err := greets(ctx, imapAddr, "* OK", "ready"); err != nil {
				return err
			}
			if lmtpAddr != "" {
				return greets(ctx, lmtpAddr, "220 ", "ready")
			}
			return nil
		})
		if err == nil {
			d.IMAPAddr, d.LMTPAddr, d.proc = imapAddr, lmtpAddr, proc
			return d, nil
		}
		_ = proc.stop(dovecotStopTimeout)
		if attempt < startAttempts && strings.Contains(proc.out.String(), "in use") {
			continue
		}
		return nil, err
	}
}

// dovecotRunner is the OS account all of Dovecot's services run as.
type dovecotRunner struct {
	user, group string
	uid, gid    int
}

// dovecotAccount returns who Dovecot's services run as and, when that is not the caller (who
// is root), the account to start it as.
func dovecotAccount() (dovecotRunner, *account, error) {
	var (
		u   *user.User
		err error
	)
	if os.Geteuid() != 0 {
		u, err = user.Current()
	} else if u, err = user.Lookup(dovecotUser); err != nil {
		err = fmt.Errorf("localsvc: running as root and there is no %q OS user to run Dovecot as "+
			"(the Debian package creates it): %w", dovecotUser, err)
	}
	if err != nil {
		return dovecotRunner{}, nil, err
	}
	a, err := accountOf(u)
	if err != nil {
		return dovecotRunner{}, nil, err
	}
	r := dovecotRunner{user: u.Username, uid: a.uid, gid: a.gid}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		return dovecotRunner{}, nil, fmt.Errorf("localsvc: group of %s: %w", u.Username, err)
	}
	r.group = g.Name
	if os.Geteuid() != 0 {
		// Already that user: no switch (which a non-root caller could not make anyway).
		a = nil
	}
	return r, a, nil
}

// greets reports whether a server at addr sends a line starting with prefix and containing
// word: Dovecot may first say it is waiting for its authentication process.
func greets(ctx context.Context, addr, prefix, word string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("%s: %w", addr, err)
		}
		if strings.HasPrefix(line, prefix) && strings.Contains(line, word) {
			return nil
		}
	}
}

// Stop shuts the server down and waits for it, killing it after 15 seconds. It returns an error
// if the server had died on its own or had to be killed. Calling it again does nothing.
func (d *Dovecot) Stop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.proc.stop(dovecotStopTimeout)
}
