#!/usr/bin/python3
"""acmesrv: the project's own ACME test server, for what Pebble does not do:
renewal information (RFC 9773), profiles (draft-ietf-acme-profiles),
dns-persist-01 (draft-ietf-acme-dns-persist), and a scenario switch that
makes it misbehave at one chosen step (acmesrv_scenario.py).

It serves ACME (RFC 8555) over HTTPS on 127.0.0.1 with the certificate and
key given, and a management API over plain HTTP on another loopback port:

  GET  /scenario             {"scenario": NAME, "scenarios": {NAME: what}}
  POST /scenario             {"name": NAME}: switch now ("none" behaves)
  POST /set-txt              {"host": FQDN, "value": TXT}: in-memory record
  POST /clear-txt            {"host": FQDN}
  POST /set-renewal-window   {"serial": HEX, "start": RFC3339, "end": RFC3339,
                              "explanationURL": URL (optional)}
  POST /set-ari-retry-after  {"seconds": N}: Retry-After of renewalInfo
  GET  /cert-id/SERIAL_HEX   the RFC 9773 certID of an issued certificate
  GET  /roots/0, /intermediates/0   the issuing CA's certificates (PEM)
  GET  /orders               every order: url, status, profile, replaces
  GET  /counts               requests so far per route: {"finalize": N...}
  POST /tls                  {"cert": PEM_FILE, "key": PEM_FILE}: the HTTPS
                             certificate of connections from now on

http-01 is checked by fetching from 127.0.0.1:--http-port whatever the
name, so names need no DNS. Only the standard library and Debian's
python3-cryptography are used.
"""

import argparse
import datetime
import json
import os
import signal
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from acmesrv_dns import TxtStore  # noqa: E402
from acmesrv_proto import Acme  # noqa: E402
from acmesrv_scenario import Reply, Switch  # noqa: E402

MAX_REQUEST = 1 << 20


class _Base(BaseHTTPRequestHandler):
    """Request reading and reply writing shared by both ports."""

    protocol_version = "HTTP/1.1"
    timeout = 60
    server_version = "acmesrv/1"

    def _body(self):
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if not 0 <= n <= MAX_REQUEST:
            self.close_connection = True
            return None
        return self.rfile.read(n)

    def _send(self, reply, extra=None, head=False):
        self.send_response(reply.status)
        headers = dict(extra or {})
        headers.update(reply.headers)
        for name, value in headers.items():
            self.send_header(name, value)
        if reply.stream is not None:
            if reply.length is not None:
                self.send_header("Content-Length", str(reply.length))
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            self._stream(reply.stream)
            return
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if not head:
            self.wfile.write(reply.body)

    def _stream(self, chunks):
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
        except (OSError, ValueError):
            pass

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(),
                                      fmt % args))


class AcmeHandler(_Base):
    """The ACME port: every reply carries a fresh Replay-Nonce."""

    acme = None
    tls_failed = False

    def setup(self):
        super().setup()
        # The TLS handshake happens here, on this connection's thread, so
        # one silent client cannot stall the accept loop.
        try:
            self.request.do_handshake()
        except OSError as exc:
            self.log_message("TLS handshake failed: %s", exc)
            self.tls_failed = True

    def handle(self):
        if not self.tls_failed:
            super().handle()

    def _serve(self, method):
        body = b""
        if method == "POST":
            body = self._body()
            if body is None:
                return self._send(Reply(413, b"request too large\n",
                                        "text/plain"))
        path = self.path.split("?", 1)[0]
        reply = self.acme.handle(method, path, self.headers, body)
        extra = {"Replay-Nonce": self.acme.new_nonce(),
                 "Link": '<%s/directory>;rel="index"' % self.acme.base,
                 "Cache-Control": "no-store"}
        # Last word to the scenario, after the protocol state has moved (a
        # finalize that did happen, answered with a cut body); it may edit
        # extra, the headers added to every reply.
        reply = self.acme.switch.hook("reply", self.acme, value=reply,
                                      extra=extra, method=method, path=path)
        self._send(reply, extra, head=method == "HEAD")

    def date_time_string(self, timestamp=None):
        return self.acme.switch.hook(
            "date", self.acme, value=super().date_time_string(timestamp))

    def do_GET(self):
        self._serve("GET")

    def do_HEAD(self):
        self._serve("HEAD")

    def do_POST(self):
        self._serve("POST")


def _when(text):
    t = datetime.datetime.fromisoformat(text)
    if t.tzinfo is None:
        raise ValueError("%r has no time zone" % text)
    return t


class MgmtHandler(_Base):
    """The management port: test-only switches, see the module comment."""

    acme = None
    txt = None
    tls = None

    def _json(self, obj, status=200):
        self._send(Reply(status, json.dumps(obj, indent=2).encode() + b"\n",
                         "application/json"))

    def _text(self, text, status=200, ctype="text/plain"):
        self._send(Reply(status, text.encode(), ctype))

    def do_GET(self):
        a = self.acme
        if self.path == "/scenario":
            return self._json({"scenario": a.switch.name,
                               "scenarios": Switch.describe()})
        if self.path.startswith("/cert-id/"):
            rec = self._cert(self.path[len("/cert-id/"):])
            return rec and self._text(rec["certid"] + "\n")
        pems = {"/roots/0": a.ca.root, "/intermediates/0": a.ca.intermediate}
        if self.path in pems:
            return self._text(a.ca.pem(pems[self.path]).decode(), 200,
                              "application/pem-certificate-chain")
        if self.path == "/counts":
            with a.lock:
                return self._json(dict(a.counts))
        if self.path == "/orders":
            with a.lock:
                return self._json([a.order_json(o) | {"url": o["url"]}
                                   for o in a.orders.values()])
        self._text("not found\n", 404)

    def _cert(self, serial_hex):
        try:
            rec = self.acme.cert_by_serial(int(serial_hex, 16))
        except ValueError:
            rec = None
        if rec is None:
            self._text("no certificate with serial %r\n" % serial_hex, 404)
        return rec

    def do_POST(self):
        body = self._body()
        try:
            obj = json.loads(body or b"")
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            return self._post(obj)
        except (ValueError, KeyError, TypeError) as exc:
            self._text("bad request: %s\n" % exc, 400)

    def _post(self, obj):
        a = self.acme
        if self.path == "/scenario":
            try:
                a.switch.set(obj["name"])
            except KeyError:
                return self._text("unknown scenario %r; known: %s\n" % (
                    obj.get("name"), " ".join(Switch.describe())), 400)
            return self._text("scenario %s\n" % a.switch.name)
        if self.path == "/tls":
            # Connections from now on get this certificate; its handshake
            # runs later, on the connection's own thread.
            self.tls.load_cert_chain(obj["cert"], obj["key"])
            return self._text("done\n")
        if self.path == "/set-txt":
            self.txt.add(obj["host"], obj["value"])
            return self._text("done\n")
        if self.path == "/clear-txt":
            self.txt.clear(obj["host"])
            return self._text("done\n")
        if self.path == "/set-ari-retry-after":
            a.ari_retry_after = int(obj["seconds"])
            return self._text("done\n")
        if self.path == "/set-renewal-window":
            rec = self._cert(obj["serial"])
            if rec is not None:
                start, end = _when(obj["start"]), _when(obj["end"])
                with a.lock:
                    a.windows[rec["cert"].serial_number] = (
                        start, end, obj.get("explanationURL"))
                self._text("done\n")
            return None
        self._text("not found\n", 404)


def _serve(server):
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    return t


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True, help="ACME HTTPS port")
    p.add_argument("--mgmt-port", type=int, required=True)
    p.add_argument("--http-port", type=int, required=True,
                   help="where http-01 is validated, on 127.0.0.1")
    p.add_argument("--cert", required=True, help="HTTPS certificate (PEM)")
    p.add_argument("--key", required=True, help="its private key (PEM)")
    p.add_argument("--scenario", default="none")
    p.add_argument("--issuer-domain", action="append",
                   help="dns-persist-01 issuer domain name (repeatable)")
    p.add_argument("--dns-server", metavar="ADDR:PORT",
                   help="read TXT records from this DNS server instead of "
                   "the in-memory store")
    args = p.parse_args()

    switch = Switch()
    try:
        switch.set(args.scenario)
    except KeyError:
        p.error("unknown scenario %r" % args.scenario)
    base = "https://127.0.0.1:%d" % args.port
    txt = TxtStore()
    acme = Acme(base, switch, args.http_port,
                args.issuer_domain or ["acmesrv.test"], args.dns_server, txt)
    AcmeHandler.acme = MgmtHandler.acme = acme
    MgmtHandler.txt = txt

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols(["http/1.1"])
    MgmtHandler.tls = ctx
    acme_srv = ThreadingHTTPServer(("127.0.0.1", args.port), AcmeHandler)
    acme_srv.socket = ctx.wrap_socket(acme_srv.socket, server_side=True,
                                      do_handshake_on_connect=False)
    mgmt_srv = ThreadingHTTPServer(("127.0.0.1", args.mgmt_port),
                                   MgmtHandler)

    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    _serve(acme_srv)
    _serve(mgmt_srv)
    sys.stderr.write("acmesrv: directory %s/directory, management "
                     "http://127.0.0.1:%d, scenario %s\n" %
                     (base, args.mgmt_port, switch.name))
    sys.stderr.flush()
    done.wait()
    # Daemon threads (streams, validations) die with the process.
    acme_srv.shutdown()
    mgmt_srv.shutdown()
    acme_srv.server_close()
    mgmt_srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
