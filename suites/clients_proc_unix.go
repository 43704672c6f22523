//go:build unix

package suites

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own, so the whole group (a shell
// script's children included) can be killed.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup kills cmd's process group.
func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
