"""acmesrv_dns: where dns-persist-01 reads TXT records. Either an in-memory
store that the management API fills (/set-txt, /clear-txt, the same JSON as
pebble-challtestsrv's), or a DNS server given on the command line (such as
pebble-challtestsrv's DNS port), asked over UDP with a minimal stub
resolver: one question, no recursion of its own, TXT answers only."""

import secrets
import socket
import struct
import threading

TYPE_TXT = 16


class TxtStore:
    """In-memory TXT records: fully qualified name -> list of values."""

    def __init__(self):
        self.lock = threading.Lock()
        self.records = {}

    def add(self, host, value):
        with self.lock:
            self.records.setdefault(_fqdn(host), []).append(value)

    def clear(self, host):
        with self.lock:
            self.records.pop(_fqdn(host), None)

    def lookup(self, host):
        with self.lock:
            return list(self.records.get(_fqdn(host), []))


def _fqdn(host):
    return host.lower().rstrip(".") + "."


def _query(name, qid):
    out = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) < 64:
            raise ValueError("bad label in %r" % name)
        out += bytes([len(raw)]) + raw
    return out + b"\0" + struct.pack(">HH", TYPE_TXT, 1)


def _skip_name(msg, pos):
    while True:
        n = msg[pos]
        if n >= 0xC0:
            return pos + 2
        pos += 1 + n
        if n == 0:
            return pos


def _answers(msg, qid):
    rid, flags, qd, an = struct.unpack(">HHHH", msg[:8])
    if rid != qid or not flags & 0x8000:
        raise ValueError("not the answer to our query")
    if flags & 0xF not in (0, 3):
        raise ValueError("DNS rcode %d" % (flags & 0xF))
    pos = 12
    for _ in range(qd):
        pos = _skip_name(msg, pos) + 4
    values = []
    for _ in range(an):
        pos = _skip_name(msg, pos)
        rtype, _cls, _ttl, rdlen = struct.unpack(">HHIH", msg[pos:pos + 10])
        pos += 10
        rdata = msg[pos:pos + rdlen]
        pos += rdlen
        if rtype != TYPE_TXT:
            continue
        parts, i = [], 0
        while i < len(rdata):
            parts.append(rdata[i + 1:i + 1 + rdata[i]])
            i += 1 + rdata[i]
        values.append(b"".join(parts).decode("utf-8", "replace"))
    return values


def dns_lookup(server, host, timeout=3.0):
    """TXT values at host from the DNS server "ADDR:PORT"; raises OSError or
    ValueError when the server cannot be asked or answers nonsense."""
    addr, port = server.rsplit(":", 1)
    qid = secrets.randbelow(65536)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(_query(host, qid), (addr, int(port)))
        msg, _ = s.recvfrom(65535)
    try:
        return _answers(msg, qid)
    except (IndexError, struct.error) as exc:
        raise ValueError("truncated DNS answer: %s" % exc)
