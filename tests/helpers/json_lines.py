#!/usr/bin/env python3
"""Checks that every line of a file of initc log output is one JSON object
with initc's keys, and prints "EVENT<TAB>MSG" per line (MSG re-encoded as
ASCII JSON) for the test to look at.

usage: json_lines.py FILE [EXPECT...]
Each EXPECT must occur in the decoded "msg" of some line.
Exits 1 naming the first bad line or missing EXPECT."""
import datetime
import json
import re
import sys

TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
LEVELS = {"error", "warn", "info", "debug"}
KEYS = {"ts", "level", "event", "step", "attempt", "status", "ms", "msg"}
# Keys each event must carry, beyond ts, level, event and msg.
NEEDS = {
    "step_start": {"step", "attempt"},
    "step_succeeded": {"step", "attempt", "status", "ms"},
    "attempt_failed": {"step", "attempt", "status", "ms"},
    "retry_delay": {"step", "attempt", "ms"},
    "probe_failed": {"step", "attempt"},
    "step_skipped": {"step"},
    "step_failed": {"step", "status"},
    "init_done": {"status", "ms"},
    "restart": {"attempt", "status"},
    "main_exited": {"status"},
}


def fail(n, why, raw):
    print(f"line {n}: {why}: {raw!r}")
    sys.exit(1)


def check(n, raw, now):
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        fail(n, f"not UTF-8 ({e})", raw)
    try:
        obj = json.loads(text)
    except ValueError as e:
        fail(n, f"not JSON ({e})", raw)
    if not isinstance(obj, dict):
        fail(n, "not an object", raw)
    for k in ("ts", "level", "event", "msg"):
        if not isinstance(obj.get(k), str):
            fail(n, f"no string '{k}'", raw)
    if set(obj) - KEYS:
        fail(n, f"unknown keys {sorted(set(obj) - KEYS)}", raw)
    if not TS.match(obj["ts"]):
        fail(n, "ts is not RFC 3339 UTC with milliseconds", raw)
    ts = datetime.datetime.strptime(obj["ts"], "%Y-%m-%dT%H:%M:%S.%fZ")
    ts = ts.replace(tzinfo=datetime.timezone.utc)
    if abs((ts - now).total_seconds()) > 600:
        fail(n, "ts is not the current UTC time", raw)
    if obj["level"] not in LEVELS:
        fail(n, "bad level", raw)
    missing = NEEDS.get(obj["event"], set()) - set(obj)
    if missing:
        fail(n, f"event {obj['event']} lacks {sorted(missing)}", raw)
    for k in ("attempt", "status", "ms"):
        if k in obj and (not isinstance(obj[k], int) or obj[k] < 0):
            fail(n, f"'{k}' is not a non-negative integer", raw)
    if "step" in obj and not isinstance(obj["step"], str):
        fail(n, "'step' is not a string", raw)
    return obj


def main():
    now = datetime.datetime.now(datetime.timezone.utc)
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    if not data.endswith(b"\n"):
        fail(0, "output does not end with a newline", data[-80:])
    msgs = []
    for n, raw in enumerate(data.split(b"\n")[:-1], 1):
        obj = check(n, raw, now)
        msgs.append(obj["msg"])
        print(obj["event"] + "\t" + json.dumps(obj["msg"]))
    for want in sys.argv[2:]:
        if not any(want in m for m in msgs):
            print(f"no msg contains {want!r}")
            sys.exit(1)


main()
