//go:build unix && !linux

package localsvc

import "syscall"

// setPdeathsig does nothing here: only Linux can tie a child's life to its parent's, so on other
// systems a server outlives a caller that dies without calling Stop.
func setPdeathsig(*syscall.SysProcAttr, syscall.Signal) {}
