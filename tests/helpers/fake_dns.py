#!/usr/bin/env python3
"""A fake DNS server over UDP for the resolver tests (standard library only).

usage: fake_dns.py [--port N] [--addr A] [--lifetime S] PORTFILE LOGFILE RULE...

Binds ADDR (default 127.0.0.1) on port N (default 0: a free one), writes
the port to PORTFILE (temp + rename) once it is ready, and appends one line
"name TYPE" per query it receives to LOGFILE (name as asked, TYPE A, AAAA or
a number), so tests can check the search order. It exits by itself after
LIFETIME seconds (default 60) so a failed test never leaves it behind long.

RULE is NAME=ACTION[,ACTION...], NAME matched case-insensitively, or * for
any name without a rule of its own. A name without a rule gets NXDOMAIN.
Actions:
  A:1.2.3.4       an A record (only in replies to A queries)
  AAAA:2001:db8::1  an AAAA record (only in replies to AAAA queries)
  CNAME:target    a CNAME record first, then the target's A/AAAA records
  NXDOMAIN        rcode 3        SERVFAIL   rcode 2      REFUSED  rcode 5
  DROP            never answer   DROPFIRST  ignore the first query of each type
  DROPAAAA        never answer AAAA queries (A queries are answered)
  DELAY:MS        answer each query MS milliseconds after it came (others are
                  served meanwhile)
  AFTER:S         NXDOMAIN until S seconds after the server started
  BADID           send a reply with a wrong id first, then the right one
  BADQ            send a reply with a different question first
  TC              set the TC bit and cut the packet in the middle of the last record
"""
import os
import socket
import struct
import sys
import time

TYPES = {1: "A", 28: "AAAA", 5: "CNAME"}


def parse_args(argv):
    opts = {"port": 0, "addr": "127.0.0.1", "lifetime": 60.0}
    while argv and argv[0].startswith("--"):
        opts[argv[0][2:]] = argv[1]
        argv = argv[2:]
    portfile, logfile, rules = argv[0], argv[1], {}
    for r in argv[2:]:
        name, _, actions = r.partition("=")
        rules[name.lower().rstrip(".")] = actions.split(",") if actions else []
    return opts, portfile, logfile, rules


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def read_question(pkt):
    """The question's name, type and its raw bytes (header excluded)."""
    off, labels = 12, []
    while pkt[off]:
        n = pkt[off]
        labels.append(pkt[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    qtype, _ = struct.unpack("!HH", pkt[off + 1:off + 5])
    return ".".join(labels), qtype, pkt[12:off + 5]


def records(rules, name, qtype, owner, depth=0):
    """The answer records for name: (rdata records as bytes, rcode, flags)."""
    acts = rules.get(name.lower(), rules.get("*"))
    if acts is None:
        return [], 3
    out, rcode = [], 0
    for a in acts:
        kind, _, val = a.partition(":")
        if kind == "NXDOMAIN":
            rcode = 3
        elif kind == "SERVFAIL":
            rcode = 2
        elif kind == "REFUSED":
            rcode = 5
        elif kind == "A" and qtype == 1:
            out.append(owner + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_pton(socket.AF_INET, val))
        elif kind == "AAAA" and qtype == 28:
            out.append(owner + struct.pack("!HHIH", 28, 1, 60, 16) + socket.inet_pton(socket.AF_INET6, val))
        elif kind == "CNAME" and depth < 8:
            target = encode_name(val)
            out.append(owner + struct.pack("!HHIH", 5, 1, 60, len(target)) + target)
            more, rc = records(rules, val, qtype, target, depth + 1)
            out += more
            rcode = rcode or rc
    return out, rcode


def reply(pkt, rules, seen, sock, peer, started):
    ident = pkt[:2]
    name, qtype, question = read_question(pkt)
    acts = rules.get(name.lower(), rules.get("*")) or []
    if "DROP" in acts or ("DROPAAAA" in acts and qtype == 28):
        return
    for a in acts:
        if a.startswith("AFTER:") and time.monotonic() < started + float(a[6:]):
            rules = {}  # not there yet: NXDOMAIN
    if "DROPFIRST" in acts and (name.lower(), qtype) not in seen:
        seen.add((name.lower(), qtype))
        return
    answers, rcode = records(rules, name, qtype, b"\xc0\x0c")
    flags = 0x8180 | rcode
    body = b"".join(answers)
    if "TC" in acts and answers:
        flags |= 0x0200
        body = body[:-len(answers[-1]) // 2]
    head = struct.pack("!HHHH", flags, 1, len(answers), 0) + b"\0\0"
    if "BADID" in acts:
        wrong = bytes([ident[0] ^ 0x55, ident[1]])
        sock.sendto(wrong + struct.pack("!H", flags) + head[2:] + question + body, peer)
    if "BADQ" in acts:
        other = encode_name("other.invalid") + question[-4:]
        sock.sendto(ident + struct.pack("!H", flags) + head[2:] + other + body, peer)
    sock.sendto(ident + struct.pack("!H", flags) + head[2:] + question + body, peer)


def delay_of(rules, pkt):
    """The DELAY:MS of the asked name's rule, in seconds (0: none)."""
    name, _, _ = read_question(pkt)
    for a in rules.get(name.lower(), rules.get("*")) or []:
        if a.startswith("DELAY:"):
            return float(a[6:]) / 1000
    return 0


def main():
    opts, portfile, logfile, rules = parse_args(sys.argv[1:])
    family = socket.AF_INET6 if ":" in opts["addr"] else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((opts["addr"], int(opts["port"])))
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % sock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    end = time.monotonic() + float(opts["lifetime"])
    seen = set()
    started = time.monotonic()
    later = []  # (due, packet, peer) of DELAY rules, in arrival order
    log = open(logfile, "a", buffering=1)
    while time.monotonic() < end:
        while later and later[0][0] <= time.monotonic():
            _, pkt, peer = later.pop(0)
            reply(pkt, rules, seen, sock, peer, started)
        wake = later[0][0] if later else end
        sock.settimeout(max(0.01, wake - time.monotonic()))
        try:
            pkt, peer = sock.recvfrom(4096)
        except socket.timeout:
            continue
        name, qtype, _ = read_question(pkt)
        log.write("%s %s\n" % (name, TYPES.get(qtype, str(qtype))))
        delay = delay_of(rules, pkt)
        if delay:
            later.append((time.monotonic() + delay, pkt, peer))
        else:
            reply(pkt, rules, seen, sock, peer, started)


if __name__ == "__main__":
    main()
