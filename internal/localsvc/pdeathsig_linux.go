package localsvc

import "syscall"

// setPdeathsig has the kernel send sig to the child when its parent dies, so servers do not
// outlive a crashed or killed caller. Go applies it after switching credentials, which would
// otherwise clear it, so it holds for servers run as the postgres user too.
func setPdeathsig(a *syscall.SysProcAttr, sig syscall.Signal) {
	a.Pdeathsig = sig
}
