//go:build !unix

package localsvc

import (
	"errors"
	"os"
	"syscall"
)

var errUnsupported = errors.New("localsvc: starting servers is supported on Unix systems only")

func sysProcAttr(*account, syscall.Signal) (*syscall.SysProcAttr, error) { return nil, errUnsupported }

func killGroup(p *os.Process) { _ = p.Kill() }

func processAlive(int) bool { return false }

func canSearch(string, *account) (bool, error) { return false, errUnsupported }

func ownedBy(string, *account) (bool, error) { return false, errUnsupported }
