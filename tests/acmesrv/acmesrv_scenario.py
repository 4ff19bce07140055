"""acmesrv_scenario: the misbehaviour switch. Each scenario breaks one thing
at the step where it hurts (cases of the reliability list); all of them live
in the one SCENARIOS table below, so a new one is one entry and, when it
needs a new step, one hook() call where that step happens.

Steps, named where the server calls hook():
  directory   GET of the directory; may return a Reply to send instead
  signed      any POST to the ACME port, before the JWS is read; Reply
  newOrder    a POST to newOrder, before the JWS is read; Reply
  token       value: the http-01 token of a new challenge

A Reply with a `stream` iterator is written without Content-Length, one
chunk at a time, and the connection is closed after it.
"""

import itertools
import json
import time


class Reply:
    """What the server sends: status, headers, body bytes or a stream."""

    def __init__(self, status, body=b"", ctype=None, headers=None,
                 stream=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if ctype:
            self.headers["Content-Type"] = ctype
        self.stream = stream


def problem(ptype, detail, status=400, headers=None, **extra):
    """A Reply holding an RFC 7807 problem document of an ACME error type."""
    doc = {"type": "urn:ietf:params:acme:error:" + ptype, "detail": detail,
           "status": status}
    doc.update(extra)
    return Reply(status, json.dumps(doc, indent=2).encode(),
                 "application/problem+json", headers)


def _trickle(body):
    for i in range(len(body)):
        if i:
            time.sleep(1)
        yield body[i:i + 1]


def _endless():
    chunk = b'{"padding": "' + b"x" * 65536
    yield chunk
    for _ in itertools.count():
        yield b"x" * 65536


def _html(_srv, **_kw):
    return Reply(200, b"<html><body><h1>Welcome to the hotel Wi-Fi</h1>"
                 b"<p>Please log in.</p></body></html>\n",
                 "text/html; charset=utf-8")


# Each entry: name -> (what it does, {step: action}). An action gets the
# server and the step's keyword arguments and returns a Reply (or None to
# carry on), or for value steps the value to use.
SCENARIOS = {
    "none": ("behave", {}),
    "bad-nonce-storm": (
        "every signed request answered badNonce (with a fresh nonce)",
        {"signed": lambda srv, **kw: problem(
            "badNonce", "JWS has an invalid anti-replay nonce")}),
    "retry-after-503": (
        "newOrder answered 503 with Retry-After: 120",
        {"newOrder": lambda srv, **kw: problem(
            "serverInternal", "service busy, try again later", 503,
            {"Retry-After": "120"})}),
    "html-200": (
        "the directory is a captive portal's HTML page with status 200",
        {"directory": _html}),
    "slow-body": (
        "the directory trickles in at one byte a second",
        {"directory": lambda srv, body, **kw: Reply(
            200, ctype="application/json", stream=_trickle(body))}),
    "huge-body": (
        "the directory never ends",
        {"directory": lambda srv, **kw: Reply(
            200, ctype="application/json", stream=_endless())}),
    "token-dotdot": (
        "http-01 tokens are \"../../etc/passwd\"",
        {"token": lambda srv, value, **kw: "../../etc/passwd"}),
}


class Switch:
    """The scenario in force, changed at run time by the management API."""

    def __init__(self, name="none"):
        self.name = "none"
        self.set(name)

    def set(self, name):
        if name not in SCENARIOS:
            raise KeyError(name)
        self.name = name

    def hook(self, step, srv, value=None, **kw):
        """The scenario's action at step: a Reply or None; for a value
        step, the value to use (value itself when the scenario has none)."""
        action = SCENARIOS[self.name][1].get(step)
        if action is None:
            return value
        return action(srv, value=value, **kw)

    @staticmethod
    def describe():
        return {name: doc for name, (doc, _) in SCENARIOS.items()}
