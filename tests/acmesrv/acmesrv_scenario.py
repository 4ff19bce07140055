"""acmesrv_scenario: the misbehaviour switch. Each scenario breaks one thing
at the step where it hurts (cases of the reliability list); all of them live
in the one SCENARIOS table below, so a new one is one entry and, when it
needs a new step, one hook() call where that step happens.

Steps, named where the server calls hook():
  directory   GET of the directory; may return a Reply to send instead
  signed      any POST to the ACME port, before the JWS is read; Reply
  new_order, new_account, finalize, order, authz, chall, cert ...
              a POST to that route (after signed), before the JWS is read
  token       value: the http-01 token of a new challenge
  order_json, authz_json   value: the object about to be sent
  cert_pem    value: the PEM chain about to be sent (rec: its record)
  reply       value: any Reply about to be sent, after the protocol state
              has moved; extra: the headers every reply gets (editable)
  date        value: the Date header of the ACME port's replies

A Reply with a `stream` iterator is written one chunk at a time and the
connection is closed after it; without Content-Length unless `length` is
set (then a stream shorter than it is a body cut short).
"""

import base64
import datetime
import email.utils
import itertools
import json
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


class Reply:
    """What the server sends: status, headers, body bytes or a stream."""

    def __init__(self, status, body=b"", ctype=None, headers=None,
                 stream=None, length=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        if ctype:
            self.headers["Content-Type"] = ctype
        self.stream = stream
        self.length = length


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


# ------------------------------------------------------------ helpers of
# the hostile scenarios (reliability cases 1-25)

HOSTILE_TOKENS = {
    "updir": "../" + "A" * 22,
    "slash": "A" * 11 + "/" + "A" * 11,
    "hash": "A" * 11 + "#" + "A" * 11,
    "dollar": "$(touch${IFS}pwned)" + "A" * 22,
    "backtick": "`touch pwned`" + "A" * 22,
    "semicolon": "A" * 11 + ";touch pwned;" + "A" * 11,
    "space": "A" * 11 + " " + "A" * 11,
    "nul": "A" * 11 + "\0" + "A" * 11,
    "nonascii": "A" * 11 + "\u00e9\u202e" + "A" * 11,
    "empty": "",
    "short": "A" * 21,
    "padded": "A" * 22 + "==",
}

# Problem details with terminal controls: clear screen, OSC 52 (write the
# clipboard), a carriage return, a C1 CSI and a right-to-left override.
HOSTILE_DETAIL = ("\x1b[2J\x1b]52;c;cHduZWQ=\x07owned\rfake ok \x9b31m"
                  "\u202etxt.exe")


def _raw(body, status=200, ctype="application/json"):
    return Reply(status, body, ctype)


def _deep(n):
    return b"[" * n + b"]" * n


# Directory bodies that are not JSON a parser may take.
BAD_JSON = {
    "truncated": b'{"newNonce": "https://127.0.0.1/nonce", "newAcc',
    "trailing": b'{"newNonce": "x"} {"garbage": true}',
    "deep": _deep(100000),
    "dupkeys": b'{"newNonce": "a", "newNonce": "b", "newAccount": "c", '
               b'"newOrder": "d", "newAccount": "e"}',
    "huge-number": b'{"newNonce": 1e999}',
    "bad-utf8": b'{"newNonce": "\xc3\x28\xff\xfe"}',
    "nul": b'{"newNonce": "https://127.0.0.1/no\\u0000nce"}',
}


def _http_date(delta):
    return email.utils.formatdate(time.time() + delta, usegmt=True)


RETRY_AFTER = {
    "seconds": lambda: "120",
    "date": lambda: _http_date(7200),
    "past": lambda: _http_date(-7200),
    "garbage": lambda: "soon, promise",
    "huge": lambda: "1000000000000",
}


def _pem_blocks(pem):
    out, cur = [], []
    for line in pem.decode().splitlines(keepends=True):
        cur.append(line)
        if line.startswith("-----END "):
            out.append("".join(cur).encode())
            cur = []
    return out


def _unrelated():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME,
                                         "unrelated root")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def _reissue(srv, rec, key=None, names=None, start=None, life=None):
    """The order's leaf made again by the same intermediate, changed: for
    another key, other names, or other dates; PEM chain, leaf first."""
    old = rec["cert"]
    start = start or old.not_valid_before
    end = start + life if life else old.not_valid_after
    b = (x509.CertificateBuilder().subject_name(old.subject)
         .issuer_name(old.issuer).serial_number(x509.random_serial_number())
         .not_valid_before(start).not_valid_after(end)
         .public_key(key.public_key() if key else old.public_key()))
    for ext in old.extensions:
        if names and isinstance(ext.value, x509.SubjectAlternativeName):
            ext = x509.Extension(ext.oid, ext.critical,
                                 x509.SubjectAlternativeName(
                                     [x509.DNSName(n) for n in names]))
        if isinstance(ext.value, x509.SubjectKeyIdentifier) and key:
            continue
        b = b.add_extension(ext.value, ext.critical)
    cert = b.sign(srv.ca.int_key, hashes.SHA256())
    return (cert.public_bytes(serialization.Encoding.PEM) +
            srv.ca.pem(srv.ca.intermediate))


def _dated(year, days):
    """A cert_pem action: the leaf valid from January 1st of year on."""
    return lambda srv, value, rec, **kw: _reissue(
        srv, rec, start=datetime.datetime(year, 1, 1,
                                          tzinfo=datetime.timezone.utc),
        life=datetime.timedelta(days=days))


def _chain(fn):
    """A cert_pem action from fn(leaf, intermediate) -> list of PEMs."""
    def action(srv, value, **kw):
        blocks = _pem_blocks(value)
        return b"".join(fn(blocks[0], blocks[1]))
    return action


PRIVATE_KEY_PEM = ec.generate_private_key(ec.SECP256R1()).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption())


def _stuck_processing(srv, value, order, **kw):
    if value["status"] in ("processing", "valid"):
        value["status"] = "processing"
        value.pop("certificate", None)
    return value


def _stuck_pending(srv, value, **kw):
    value["status"] = "pending"
    for c in value["challenges"]:
        c["status"] = "pending" if c["status"] != "processing" else \
            "processing"
    return value


def _authz_invalid(srv, value, **kw):
    name = value["identifier"]["value"]
    value["status"] = "invalid"
    for c in value["challenges"]:
        c["status"] = "invalid"
        c["error"] = {
            "type": "urn:ietf:params:acme:error:unauthorized",
            "detail": "%s: validation failed" % name, "status": 403,
            "subproblems": [{
                "type": "urn:ietf:params:acme:error:dns",
                "detail": "no A record for %s" % name,
                "identifier": {"type": "dns", "value": name}}]}
    return value


def _order_invalid(srv, value, **kw):
    value["status"] = "invalid"
    value["error"] = {
        "type": "urn:ietf:params:acme:error:rejectedIdentifier",
        "detail": "some names are refused", "status": 400,
        "subproblems": [{
            "type": "urn:ietf:params:acme:error:rejectedIdentifier",
            "detail": "%s is on a block list" % i["value"],
            "identifier": i} for i in value["identifiers"]]}
    return value


def _set(key, val, when=None):
    """An *_json action setting key to val (deleting it when val is
    _DROP), where when(obj) holds."""
    def action(srv, value, **kw):
        if when is None or when(value):
            if val is _DROP:
                value.pop(key, None)
            else:
                value[key] = val
        return value
    return action


_DROP = object()


def _ready(obj):
    return obj.get("status") in ("ready", "processing", "valid")


def _extra(fn):
    """A reply action that edits the headers every reply gets."""
    def action(srv, value, extra, method, path, **kw):
        fn(extra, method, path)
        return value
    return action


def _no_nonce(extra, method, path):
    if path != "/nonce":
        del extra["Replay-Nonce"]


def _bad_nonce_header(extra, method, path):
    if path != "/nonce":
        extra["Replay-Nonce"] = "not a nonce!\\" + extra["Replay-Nonce"]


def _links(extra, method, path):
    if path.startswith("/cert/"):
        extra["Link"] = ", ".join(
            ['<http://127.0.0.1:9/x%d>;rel="alternate"' % i
             for i in range(600)] +
            ['<../cert/%d/../../x%d>;rel="alternate"' % (i, i)
             for i in range(600)] + ['<%s>;rel="alternate"' % ("/" * 4000)])


def _long_link(size):
    def edit(extra, method, path):
        extra["Link"] = '<https://127.0.0.1/%s>;rel="index"' % ("a" * size)
    return edit


def _cut_finalize(srv, value, method, path, **kw):
    """The first finalize (done for real) answered with half its body."""
    if path.endswith("/finalize") and srv.counts["finalize"] == 1 and \
            value.status == 200:
        body = value.body
        return Reply(200, ctype="application/json", length=len(body),
                     stream=iter([body[:len(body) // 2]]))
    return value


def _cut(srv, value, **kw):
    return Reply(200, ctype="application/json", length=len(value) + 100,
                 stream=iter([value[:len(value) // 2]]))


def _redirect(target):
    def action(srv, path, **kw):
        return Reply(302, b"", "text/plain",
                     {"Location": target(srv, path)})
    return action


def _weaker(srv, body, **kw):
    """badSignatureAlgorithm offering only weaker algorithms; the alg the
    client used is counted (counts["alg ES256"])."""
    try:
        prot = json.loads(body)["protected"]
        prot += "=" * (-len(prot) % 4)
        alg = json.loads(base64.urlsafe_b64decode(prot)).get("alg")
    except (ValueError, KeyError, TypeError):
        alg = None
    with srv.lock:
        srv.counts["alg %s" % alg] += 1
    return problem("badSignatureAlgorithm", "use one of the algorithms "
                   "listed", algorithms=["none", "HS256", "RS1"])


def _new_account_no_location(srv, path, body, **kw):
    return Reply(201, json.dumps({"status": "valid",
                                  "orders": srv.base + "/acct/x/orders"})
                 .encode(), "application/json")


def _deactivated(srv, path, **kw):
    if path == "/new-account":
        return Reply(200, json.dumps({"status": "deactivated"}).encode(),
                     "application/json", {"Location": srv.base + "/acct/1"})
    return problem("unauthorized", "account is deactivated", 401)


def _skew(days):
    return lambda srv, value, **kw: _http_date(days * 86400)


def _dir_without(*keys):
    def action(srv, body, **kw):
        d = json.loads(body)
        for k in keys:
            d.pop(k)
        return _raw(json.dumps(d).encode())
    return action


def _dir_http(srv, body, **kw):
    d = json.loads(body)
    d["newNonce"] = d["newNonce"].replace("https:", "http:")
    d["newAccount"] = d["newAccount"].replace("https:", "http:")
    d["newOrder"] = d["newOrder"].replace("https:", "http:")
    return _raw(json.dumps(d).encode())


def _slow_loris(body):
    for i in range(len(body)):
        if i:
            time.sleep(3)
        yield body[i:i + 1]


def _slow_trickle(body):
    """The body and 6000 spaces (still valid JSON) at 40 bytes a second:
    faster than 1 byte a second, slower than any real server; 160 s."""
    data = body + b" " * 6000
    for i in range(0, len(data), 10):
        if i:
            time.sleep(0.25)
        yield data[i:i + 10]


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
        {"new_order": lambda srv, **kw: problem(
            "serverInternal", "service busy, try again later", 503,
            {"Retry-After": "120"})}),
    "key-change-lost": (
        "keyChange is carried out, then answered 500, as if the answer "
        "were lost on the way",
        {"key_change_applied": lambda srv, **kw: problem(
            "serverInternal", "the answer was lost", 500)}),
    "key-change-dropped": (
        "keyChange answered 500 before anything is changed",
        {"key_change": lambda srv, **kw: problem(
            "serverInternal", "the request was lost", 500)}),
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
    # 2: the directory
    "dir-no-neworder": ("the directory lacks newOrder and newNonce",
                        {"directory": _dir_without("newOrder", "newNonce")}),
    "dir-http": ("the directory's endpoints are http: URLs",
                 {"directory": _dir_http}),
    # Not a fault: a CA with nothing in meta (no terms of service, no
    # profiles, no CAA identities), for the wizard's CA step.
    "dir-no-meta": ("the directory has no meta object",
                    {"directory": _dir_without("meta")}),
    "terms-changed": (
        "newOrder: userActionRequired, new terms of service to agree to",
        {"new_order": lambda srv, **kw: problem(
            "userActionRequired", "the terms of service have changed", 403,
            {"Link": '<%s/terms/v2>;rel="terms-of-service"' % srv.base},
            instance=srv.base + "/terms/v2")}),
    # 3, 13: JSON
    "order-truncated": (
        "newOrder's answer is JSON cut short (the order exists)",
        {"reply": lambda srv, value, path, **kw: Reply(
            201, value.body[:40], "application/json", value.headers)
            if path == "/new-order" else value}),
    "order-status-unknown": ("orders say status \"bogus\"",
                             {"order_json": _set("status", "bogus")}),
    "order-status-missing": ("orders have no status",
                             {"order_json": _set("status", _DROP)}),
    "order-status-type": ("orders' status is a number",
                          {"order_json": _set("status", 5)}),
    "order-type": ("orders are JSON arrays",
                   {"order_json": lambda srv, value, **kw: [value]}),
    "authz-status-unknown": ("authorizations say status \"almost\"",
                             {"authz_json": _set("status", "almost")}),
    "authz-challenges-type": ("authorizations' challenges is a string",
                              {"authz_json": _set("challenges", "http-01")}),
    # 4, 5, 9: bodies that are not what was asked for
    "html-502": (
        "newOrder answered by a proxy's HTML 502",
        {"new_order": lambda srv, **kw: _raw(
            b"<html><head><title>502 Bad Gateway</title></head>\x1b[2J"
            b"<body>nginx</body></html>\n", 502, "text/html")}),
    "html-504": (
        "newOrder answered by a proxy's HTML 504",
        {"new_order": lambda srv, **kw: _raw(
            b"<html><body>504 Gateway Time-out</body></html>\n", 504,
            "text/html")}),
    "endless-cert": (
        "the certificate download never ends",
        {"cert": lambda srv, **kw: Reply(
            200, ctype="application/pem-certificate-chain",
            stream=_endless())}),
    # 6, 7: nonces
    "nonce-missing": ("no Replay-Nonce except from newNonce",
                      {"reply": _extra(_no_nonce)}),
    "nonce-malformed": ("Replay-Nonce is not base64url except newNonce's",
                        {"reply": _extra(_bad_nonce_header)}),
    # 10, 11, 12: orders and authorizations
    "order-stuck-processing": (
        "orders stay processing after finalize, for ever",
        {"order_json": _stuck_processing}),
    "authz-stuck-pending": (
        "authorizations stay pending for ever",
        {"authz_json": _stuck_pending,
         "order_json": _set("status", "pending")}),
    "authz-invalid": (
        "authorizations invalid, with subproblems per name",
        {"authz_json": _authz_invalid}),
    "order-invalid": (
        "new orders invalid at once, with a subproblem per name",
        {"order_json": _order_invalid}),
    "order-idents-changed": (
        "orders list a name that was not asked for",
        {"order_json": _set("identifiers", [
            {"type": "dns", "value": "evil.example.test"}])}),
    "order-idents-added": (
        "orders add a name to those asked for",
        {"order_json": lambda srv, value, **kw: dict(
            value, identifiers=value["identifiers"] + [
                {"type": "dns", "value": "extra.example.test"}])}),
    "order-authzs-changed": (
        "once ready, orders point at another authorization",
        {"order_json": _set("authorizations", [
            "https://127.0.0.1:1/authz/999"], _ready)}),
    # 14, 15, 16: the certificate
    "chain-reversed": ("the chain comes intermediate first",
                       {"cert_pem": _chain(lambda l, i: [i, l])}),
    "chain-duplicates": ("the chain repeats the leaf and the intermediate",
                         {"cert_pem": _chain(lambda l, i: [l, l, i, i])}),
    "chain-unrelated": ("the chain carries an unrelated root",
                        {"cert_pem": _chain(
                            lambda l, i: [l, _unrelated(), i])}),
    "chain-no-leaf": ("the chain is the intermediate alone",
                      {"cert_pem": _chain(lambda l, i: [i])}),
    "pem-private-key": ("a private key after the chain",
                        {"cert_pem": lambda srv, value, **kw:
                         value + PRIVATE_KEY_PEM}),
    "pem-other-block": ("an X509 CRL block inside the chain",
                        {"cert_pem": _chain(lambda l, i: [
                            l, b"-----BEGIN X509 CRL-----\nAAAA\n"
                            b"-----END X509 CRL-----\n", i])}),
    "cert-other-key": (
        "the certificate is for another key",
        {"cert_pem": lambda srv, value, rec, **kw: _reissue(
            srv, rec, key=ec.generate_private_key(ec.SECP256R1()))}),
    "cert-other-names": (
        "the certificate is for other names",
        {"cert_pem": lambda srv, value, rec, **kw: _reissue(
            srv, rec, names=["other.example.test"])}),
    "cert-future": ("the certificate starts in 2090",
                    {"cert_pem": _dated(2090, 90)}),
    "cert-expired": ("the certificate ended in 2001",
                     {"cert_pem": _dated(2000, 365)}),
    # 17, 18, 19, 20: transport
    "link-many": ("1201 Link alternates on the certificate: http:, "
                  "relative, absurd", {"reply": _extra(_links)}),
    "link-big": ("one Link header of 80 kB on every reply",
                 {"reply": _extra(_long_link(80000))}),
    "link-huge": ("one Link header of 200 kB on every reply",
                  {"reply": _extra(_long_link(200000))}),
    "redirect-loop": ("signed requests redirected to themselves",
                      {"signed": _redirect(lambda srv, p: srv.base + p)}),
    "redirect-http": ("signed requests redirected to http:",
                      {"signed": _redirect(lambda srv, p: "http://127.0.0.1:"
                                           "%d%s" % (srv.http_port, p))}),
    "redirect-other": ("newOrder redirected to another https URL",
                       {"new_order": _redirect(
                           lambda srv, p: srv.base + "/elsewhere")}),
    "cut-directory": ("the directory closes half way through its body",
                      {"directory": lambda srv, body, **kw: _cut(srv, body)}),
    "cut-finalize": ("the first finalize happens but its answer is cut",
                     {"reply": _cut_finalize}),
    "slow-loris": ("the directory trickles one byte every 3 seconds",
                   {"directory": lambda srv, body, **kw: Reply(
                       200, ctype="application/json",
                       stream=_slow_loris(body))}),
    "slow-trickle": ("the directory trickles at 40 bytes a second for 160 s",
                     {"directory": lambda srv, body, **kw: Reply(
                         200, ctype="application/json",
                         stream=_slow_trickle(body))}),
    # 22, 23, 24, 25
    "control-detail": (
        "newOrder refused with terminal controls in the detail",
        {"new_order": lambda srv, **kw: problem(
            "rejectedIdentifier", HOSTILE_DETAIL)}),
    "control-authz": (
        "authorizations invalid with terminal controls in the detail",
        {"authz_json": lambda srv, value, **kw: dict(
            _authz_invalid(srv, value), challenges=[
                dict(c, error={"type": "urn:ietf:params:acme:error:"
                               "unauthorized", "detail": HOSTILE_DETAIL})
                for c in value["challenges"]])}),
    "bad-sig-alg": ("every signed request: badSignatureAlgorithm, "
                    "offering none, HS256, RS1", {"signed": _weaker}),
    "eab-required": (
        "newAccount needs external account binding",
        {"new_account": lambda srv, **kw: problem(
            "externalAccountRequired", "this CA needs an external account "
            "binding (eab_kid, eab_hmac_key)")}),
    "account-no-location": ("newAccount answers 201 without Location",
                            {"new_account": _new_account_no_location}),
    "account-deactivated": (
        "the account is deactivated: newAccount says so, the rest 401",
        {"signed": _deactivated}),
    "account-exists": (
        "newAccount answers 200 (the key has an account) even when new",
        {"reply": lambda srv, value, path, **kw: Reply(
            200, value.body, None, value.headers)
            if path == "/new-account" and value.status == 201 else value}),
    "date-ahead": ("Date header three days ahead", {"date": _skew(3)}),
    "date-behind": ("Date header three days behind", {"date": _skew(-3)}),
}
SCENARIOS.update({
    "token-" + label: ("http-01 tokens are %r" % tok,
                       {"token": lambda srv, tok=tok, **kw: tok})
    for label, tok in HOSTILE_TOKENS.items()})
SCENARIOS.update({
    "json-" + label: ("the directory is %s JSON" % label,
                      {"directory": lambda srv, bad=body, **kw: _raw(bad)})
    for label, body in BAD_JSON.items()})
SCENARIOS.update({
    "ratelimit-%d-%s" % (status, label): (
        "newOrder answered %d, Retry-After %s" % (status, label),
        {"new_order": lambda srv, status=status, ra=ra, **kw: problem(
            "rateLimited" if status == 429 else "serverInternal",
            "too many new orders", status, {"Retry-After": ra()})})
    for status in (429, 503) for label, ra in RETRY_AFTER.items()})


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
