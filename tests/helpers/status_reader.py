#!/usr/bin/env python3
"""Reads a status file as fast as it can until a stop file appears, then
writes every distinct content it saw, one repr() per line, to OUT.
OUT.ready appears once it is reading.

usage: status_reader.py STATUS STOP OUT
A status file rewritten in place could be seen empty or half-written; one
replaced by rename never is."""
import os
import sys

status, stop, out = sys.argv[1:4]
seen = set()
open(out + ".ready", "w").close()  # the test starts initc after this
while not os.path.exists(stop):
    try:
        with open(status, "rb") as f:
            seen.add(f.read())
    except FileNotFoundError:
        pass
with open(out + ".tmp", "w") as f:
    for s in sorted(seen):
        f.write(repr(s) + "\n")
os.rename(out + ".tmp", out)
