#!/usr/bin/env python3
"""Drives `initc -s -- sh -i` on a pseudo-terminal, as `docker run -it` would.

Usage: tty_session.py INITC CONFIG

The shell runs `sleep 30`; once sleep is the terminal's foreground process,
the script types Ctrl-C (the tty sends SIGINT to the foreground group), then
`echo rc=$?` and `exit 3`. Exits 0 when the shell printed rc=130 and initc
exited with the shell's status 3; otherwise prints why and exits 1.
"""
import os
import pty
import select
import sys
import time

TIMEOUT = 20.0


class Session:
    def __init__(self, argv):
        env = dict(os.environ, PS1="PROMPT> ", TERM="dumb")
        env.pop("ENV", None)
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execve(argv[0], argv, env)
            finally:
                os._exit(99)
        self.out = b""

    def read_some(self, secs):
        ready, _, _ = select.select([self.fd], [], [], secs)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:  # EIO: the terminal's last user is gone
            return False
        self.out += data
        return bool(data)

    def expect(self, text, start):
        """Waits until text appears in the output after offset start."""
        deadline = time.monotonic() + TIMEOUT
        while text.encode() not in self.out[start:]:
            left = deadline - time.monotonic()
            if left <= 0 or (not self.read_some(left) and not self.alive()):
                fail("never saw %r" % text, self)
        return self.out.index(text.encode(), start) + len(text)

    def alive(self):
        return os.waitpid(self.pid, os.WNOHANG) == (0, 0)

    def send(self, text):
        os.write(self.fd, text.encode())

    def foreground_is(self, comm):
        """True when the terminal's foreground process group leader is comm."""
        try:
            pgrp = os.tcgetpgrp(self.fd)
            with open("/proc/%d/comm" % pgrp) as f:
                return f.read().strip() == comm
        except OSError:
            return False


def fail(why, s):
    sys.stdout.write("FAIL: %s\n--- terminal output ---\n%s\n" %
                     (why, s.out.decode(errors="replace")))
    sys.exit(1)


def main():
    initc, config = sys.argv[1:3]
    s = Session([initc, "-q", "-c", config, "-s", "--", "sh", "-i"])
    pos = s.expect("PROMPT> ", 0)
    s.send("sleep 30\n")
    deadline = time.monotonic() + TIMEOUT
    while not s.foreground_is("sleep"):
        if time.monotonic() > deadline:
            fail("sleep never became the foreground process", s)
        s.read_some(0.02)
    s.send("\x03")
    pos = s.expect("PROMPT> ", pos)
    s.send("echo rc=$?\n")
    pos = s.expect("rc=130", pos)
    s.send("exit 3\n")
    deadline = time.monotonic() + TIMEOUT
    while True:
        s.read_some(0.05)
        pid, status = os.waitpid(s.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.kill(s.pid, 9)
            fail("initc did not exit after the shell did", s)
    code = os.waitstatus_to_exitcode(status)
    if code != 3:
        fail("initc exited %d, want the shell's 3" % code, s)
    print("ok: Ctrl-C reached the foreground job (rc=130), initc exited 3")


if __name__ == "__main__":
    main()
