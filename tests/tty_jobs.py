#!/usr/bin/env python3
"""Job control on a pseudo-terminal: steps in the terminal's foreground, and
Ctrl-Z from an interactive shell.

Usage: tty_jobs.py steps INITC CONFIG
       tty_jobs.py ctrl-z INITC CONFIG [-s]

steps: initc (the session's first process, as under `docker run -it`) runs
CONFIG, whose steps set the terminal (stty) and read a line from /dev/tty,
then execs an app that sets the terminal too. In the background of the
terminal any of them would be stopped by SIGTTOU or SIGTTIN.

ctrl-z: bash runs `initc -c CONFIG [-s] -- sleep 30` (the sleep is a step
without -s, the app with it). Ctrl-Z stops the sleep, initc stops too and
bash prints its prompt; `fg` continues both, the sleep gets the terminal
back, and Ctrl-C then ends it: `echo rc=$?` says 130.

Exits 0 when all went so; otherwise prints why and exits 1.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tty_session import Session, fail, TIMEOUT  # noqa: E402


def wait_foreground(s, comm):
    deadline = time.monotonic() + TIMEOUT
    while not s.foreground_is(comm):
        if time.monotonic() > deadline:
            fail("%s never became the foreground process" % comm, s)
        s.read_some(0.02)


def wait_exit(s):
    deadline = time.monotonic() + TIMEOUT
    while True:
        s.read_some(0.05)
        pid, status = os.waitpid(s.pid, os.WNOHANG)
        if pid:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(s.pid, 9)
            fail("the session did not end", s)


def steps(initc, config):
    app = "stty -echo < /dev/tty && stty echo < /dev/tty && echo app-ok"
    s = Session([initc, "-c", config, "--", "sh", "-c", app])
    pos = s.expect("step-stty-ok", 0)
    s.send("hello\n")
    pos = s.expect("got=hello", pos)
    s.expect("app-ok", pos)
    code = wait_exit(s)
    if code != 0:
        fail("initc exited %d, want 0" % code, s)
    print("ok: steps and the app set and read the terminal")


def ctrl_z(initc, config, supervise):
    s = Session(["/bin/bash", "--norc", "--noprofile", "-i"])
    pos = s.expect("PROMPT> ", 0)
    s.send("%s -q -c %s %s -- sleep 30\n" % (initc, config, supervise))
    wait_foreground(s, "sleep")
    s.send("\x1a")
    pos = s.expect("Stopped", pos)
    pos = s.expect("PROMPT> ", pos)
    s.send("fg\n")
    wait_foreground(s, "sleep")
    s.send("\x03")
    pos = s.expect("PROMPT> ", pos)
    s.send("echo rc=$?\n")
    pos = s.expect("rc=130", pos)
    s.send("exit 0\n")
    wait_exit(s)
    print("ok: Ctrl-Z stopped initc, fg continued it, Ctrl-C ended the sleep")


def main():
    if sys.argv[1] == "steps":
        steps(sys.argv[2], sys.argv[3])
    else:
        ctrl_z(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "")


if __name__ == "__main__":
    main()
