//go:build unix

package localsvc

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

func sysProcAttr(as *account, deathSig syscall.Signal) (*syscall.SysProcAttr, error) {
	a := &syscall.SysProcAttr{Setpgid: true}
	setPdeathsig(a, deathSig)
	if as != nil {
		c := &syscall.Credential{Uid: uint32(as.uid), Gid: uint32(as.gid)}
		for _, g := range as.groups {
			c.Groups = append(c.Groups, uint32(g))
		}
		a.Credential = c
	}
	return a, nil
}

func killGroup(p *os.Process) {
	// The server is the leader of its own group: take its children (PostgreSQL backends) too.
	if err := syscall.Kill(-p.Pid, syscall.SIGKILL); err != nil {
		_ = p.Kill()
	}
}

func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func fileStat(path string) (*syscall.Stat_t, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, fmt.Errorf("stat %s: no owner information", path)
	}
	return st, nil
}

// canSearch reports whether as may traverse the directory path, by its permission bits.
func canSearch(path string, as *account) (bool, error) {
	st, err := fileStat(path)
	if err != nil {
		return false, err
	}
	mode := st.Mode
	switch {
	case int(st.Uid) == as.uid:
		return mode&0o100 != 0, nil
	case inGroup(int(st.Gid), as):
		return mode&0o010 != 0, nil
	default:
		return mode&0o001 != 0, nil
	}
}

func inGroup(gid int, as *account) bool {
	if gid == as.gid {
		return true
	}
	for _, g := range as.groups {
		if g == gid {
			return true
		}
	}
	return false
}

func ownedBy(path string, as *account) (bool, error) {
	st, err := fileStat(path)
	if err != nil {
		return false, fmt.Errorf("localsvc: %w", err)
	}
	return int(st.Uid) == as.uid, nil
}
