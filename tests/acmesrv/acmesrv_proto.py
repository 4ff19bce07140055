"""acmesrv_proto: the ACME protocol state of the test server (RFC 8555):
nonces, accounts, orders, authorizations, challenges (http-01 and
dns-persist-01), finalize, certificates, revocation, key change, and
renewal information (RFC 9773) and profiles (draft-ietf-acme-profiles).

Transport-free: handle() takes a method, path, headers and body and returns
an acmesrv_scenario.Reply. One lock guards all state; validations run on
their own threads and take the lock only to record their outcome.

dns-persist-01 (draft-ietf-acme-dns-persist), as implemented here: the
challenge carries "issuer-domain-names" (no token). The client publishes a
TXT record at _validation-persist.DOMAIN (the base name for a wildcard)
whose value is an issuer domain name followed by ";"-separated key=value
parameters: accounturi=ACCOUNT_URL (required, exact match), policy=wildcard
(required when the authorization is for a wildcard), persistUntil=UNIX_TIME
(optional; the record no longer counts after it). Issuer names compare case
blind without a trailing dot; parameter names are case blind; unknown
parameters are ignored; any one matching record suffices. Subdomain scope
(a parent's record covering its children) is not implemented.
"""

import collections
import datetime
import http.client
import ipaddress
import json
import re
import secrets
import threading

from cryptography import x509

import acmesrv_ca as ca_mod
import acmesrv_jws as jws
from acmesrv_dns import dns_lookup
from acmesrv_jws import Problem
from acmesrv_scenario import Reply, problem

JSON = "application/json"
REASONS = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10}
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def rfc3339(t):
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_reply(obj, status=200, headers=None):
    return Reply(status, json.dumps(obj, indent=2).encode(), JSON, headers)


def _ident(obj):
    """A checked newOrder identifier as (type, value, wildcard)."""
    if not isinstance(obj, dict) or not isinstance(obj.get("value"), str):
        raise Problem("malformed", "identifier is not {type, value}")
    kind, value = obj.get("type"), obj["value"]
    if kind == "ip":
        try:
            return "ip", str(ipaddress.ip_address(value)), False
        except ValueError:
            raise Problem("rejectedIdentifier", "%r is not an IP" % value)
    if kind != "dns":
        raise Problem("unsupportedIdentifier", "type %r" % (kind,))
    name = value.lower()
    wild = name.startswith("*.")
    base = name[2:] if wild else name
    labels = base.split(".")
    if len(base) > 253 or len(labels) < 2 or not all(
            LABEL.match(label) for label in labels):
        raise Problem("rejectedIdentifier", "%r is not a valid name" % value)
    return "dns", base, wild


class Acme:
    """The server's state; see the module comment."""

    def __init__(self, base, switch, http_port, issuer_domains,
                 dns_server=None, txt=None):
        self.base = base
        self.switch = switch
        self.http_port = http_port
        self.issuer_domains = issuer_domains
        self.dns_server = dns_server
        self.txt = txt
        self.ca = ca_mod.CA()
        self.lock = threading.RLock()
        self.nonces = collections.OrderedDict()
        self.accounts, self.by_thumb = {}, {}
        self.orders, self.authzs, self.challs = {}, {}, {}
        self.certs, self.by_certid = {}, {}
        self.windows = {}
        # Requests per route (new_order, finalize...), for tests that count.
        self.counts = collections.Counter()
        self.ari_retry_after = 21600
        self.routes = [(re.compile(p + "$"), m, fn) for p, m, fn in (
            (r"/directory", "GET", self._directory),
            (r"/nonce", "GET", self._nonce),
            (r"/renewal-info/([A-Za-z0-9_.-]+)", "GET", self._ari),
            (r"/new-account", "POST", self._new_account),
            (r"/new-order", "POST", self._new_order),
            (r"/revoke-cert", "POST", self._revoke),
            (r"/key-change", "POST", self._key_change),
            (r"/acct/(\d+)", "POST", self._account),
            (r"/acct/(\d+)/orders", "POST", self._account_orders),
            (r"/order/(\d+)", "POST", self._order),
            (r"/order/(\d+)/finalize", "POST", self._finalize),
            (r"/authz/(\d+)", "POST", self._authz),
            (r"/chall/(\d+)", "POST", self._chall),
            (r"/cert/(\d+)", "POST", self._cert))]

    # ---------------------------------------------------------- dispatch

    def new_nonce(self):
        """A fresh nonce, good for one signed request."""
        n = jws.b64e(secrets.token_bytes(16))
        with self.lock:
            self.nonces[n] = True
            while len(self.nonces) > 10000:
                self.nonces.popitem(last=False)
        return n

    def handle(self, method, path, headers, body):
        """The Reply to one request on the ACME port."""
        if method == "HEAD" and path == "/nonce":
            method = "GET"
        allowed = []
        for rx, m, fn in self.routes:
            match = rx.match(path)
            if not match:
                continue
            if m != method:
                allowed.append(m)
                continue
            try:
                with self.lock:
                    self.counts[fn.__name__.lstrip("_")] += 1
                if m == "POST":
                    hooked = self.switch.hook("signed", self, path=path,
                                              body=body)
                    if hooked is None:
                        # The step is the route's name: new_order,
                        # finalize, new_account...
                        hooked = self.switch.hook(fn.__name__.lstrip("_"),
                                                  self, path=path, body=body)
                    if hooked is not None:
                        return hooked
                    return fn(path, headers, body, *match.groups())
                return fn(*match.groups())
            except Problem as p:
                return problem(p.ptype, p.detail, p.status, **p.extra)
        if allowed:
            return problem("malformed", "%s not allowed on %s" %
                           (method, path), 405, {"Allow": ", ".join(allowed)})
        return problem("malformed", "no such resource: " + path, 404)

    def _signed(self, path, headers, body, new_key=False):
        """Verifies a JWS request; returns (payload bytes, account or None,
        jwk). new_key: the request may carry a jwk (newAccount, revoke)."""
        ctype = headers.get("Content-Type", "")
        if ctype.split(";")[0].strip().lower() != "application/jose+json":
            raise Problem("malformed", "Content-Type %r is not "
                          "application/jose+json" % ctype, 415)
        header, payload, signing_input, sig = jws.parse(body)
        jws.check_header(header, self.base + path)
        acct = None
        if "jwk" in header:
            if not new_key:
                raise Problem("malformed", "this request needs a kid")
            jwk = header["jwk"]
        else:
            if new_key and path == "/new-account":
                raise Problem("malformed", "newAccount needs a jwk")
            acct = self._account_by_url(header["kid"])
            jwk = acct["jwk"]
        with self.lock:
            if self.nonces.pop(header["nonce"], None) is None:
                raise Problem("badNonce", "JWS nonce %r is not one we gave"
                              " or was used already" % header["nonce"])
        jws.verify(header, signing_input, sig, jwk)
        return payload, acct, jwk

    def _payload(self, payload, want_empty=False):
        if want_empty:
            if payload != b"":
                raise Problem("malformed", "POST-as-GET needs an empty payload")
            return None
        try:
            obj = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            raise Problem("malformed", "payload is not JSON")
        if not isinstance(obj, dict):
            raise Problem("malformed", "payload is not a JSON object")
        return obj

    def _get(self, table, ident, what):
        obj = table.get(int(ident))
        if obj is None:
            raise Problem("malformed", "no such %s" % what, 404)
        return obj

    def _own(self, obj, acct, what):
        if obj["account"] != acct["id"]:
            raise Problem("unauthorized", "%s belongs to another account"
                          % what, 403)

    # ---------------------------------------------------------- directory

    def directory_obj(self):
        b = self.base
        return {
            "newNonce": b + "/nonce", "newAccount": b + "/new-account",
            "newOrder": b + "/new-order", "revokeCert": b + "/revoke-cert",
            "keyChange": b + "/key-change",
            "renewalInfo": b + "/renewal-info",
            "meta": {
                "termsOfService": b + "/terms",
                "website": "https://acmesrv.test/",
                "caaIdentities": list(self.issuer_domains),
                "profiles": {name: p[0]
                             for name, p in ca_mod.PROFILES.items()},
            }}

    def _directory(self):
        body = json.dumps(self.directory_obj(), indent=2).encode()
        hooked = self.switch.hook("directory", self, body=body)
        return hooked or Reply(200, body, JSON)

    def _nonce(self):
        return Reply(200, headers={"Cache-Control": "no-store"})

    # ---------------------------------------------------------- accounts

    def _account_by_url(self, kid):
        prefix = self.base + "/acct/"
        acct = None
        if isinstance(kid, str) and kid.startswith(prefix) and \
                kid[len(prefix):].isdigit():
            acct = self.accounts.get(int(kid[len(prefix):]))
        if acct is None:
            raise Problem("accountDoesNotExist", "no account %r" % (kid,),
                          401)
        if acct["status"] != "valid":
            raise Problem("unauthorized", "account is %s" % acct["status"],
                          401)
        return acct

    def _acct_json(self, acct):
        return {"status": acct["status"], "contact": acct["contact"],
                "orders": acct["url"] + "/orders",
                "termsOfServiceAgreed": True}

    @staticmethod
    def _contacts(obj):
        contact = obj.get("contact", [])
        if not isinstance(contact, list) or not all(
                isinstance(c, str) for c in contact):
            raise Problem("malformed", "contact is not a list of strings")
        for c in contact:
            if not c.startswith("mailto:"):
                raise Problem("unsupportedContact", "only mailto: contacts")
            if not re.match(r"^mailto:[^@,\s]+@[^@,\s]+\.[^@,\s]+$", c):
                raise Problem("invalidContact", "bad address %r" % c)
        return contact

    def _new_account(self, path, headers, body):
        payload, _, jwk = self._signed(path, headers, body, new_key=True)
        obj = self._payload(payload)
        with self.lock:
            acct = self.by_thumb.get(jws.thumbprint(jwk))
            if acct is not None:
                return _json_reply(self._acct_json(acct), 200,
                                   {"Location": acct["url"]})
            if obj.get("onlyReturnExisting") is True:
                raise Problem("accountDoesNotExist", "no account for this key")
            if obj.get("termsOfServiceAgreed") is not True:
                raise Problem("userActionRequired", "agree to the terms of "
                              "service first", 403,
                              instance=self.base + "/terms")
            ident = len(self.accounts) + 1
            acct = {"id": ident, "url": "%s/acct/%d" % (self.base, ident),
                    "jwk": jwk, "status": "valid",
                    "contact": self._contacts(obj), "orders": []}
            self.accounts[ident] = acct
            self.by_thumb[jws.thumbprint(jwk)] = acct
        return _json_reply(self._acct_json(acct), 201,
                           {"Location": acct["url"]})

    def _account(self, path, headers, body, ident):
        payload, acct, _ = self._signed(path, headers, body)
        if acct["id"] != int(ident):
            raise Problem("unauthorized", "not your account", 403)
        if payload != b"":
            obj = self._payload(payload)
            with self.lock:
                if "contact" in obj:
                    acct["contact"] = self._contacts(obj)
                if obj.get("status") == "deactivated":
                    acct["status"] = "deactivated"
                elif "status" in obj:
                    raise Problem("malformed", "status can only become "
                                  "deactivated")
        return _json_reply(self._acct_json(acct))

    def _account_orders(self, path, headers, body, ident):
        payload, acct, _ = self._signed(path, headers, body)
        self._payload(payload, want_empty=True)
        if acct["id"] != int(ident):
            raise Problem("unauthorized", "not your account", 403)
        return _json_reply({"orders": [
            self.orders[o]["url"] for o in acct["orders"]
            if self.orders[o]["status"] in ("pending", "ready", "processing")
        ]})

    def _key_change(self, path, headers, body):
        payload, acct, _ = self._signed(path, headers, body)
        header, inner, signing_input, sig = jws.parse(payload)
        if "jwk" not in header or "nonce" in header:
            raise Problem("malformed", "inner JWS needs jwk and no nonce")
        if header.get("url") != self.base + path:
            raise Problem("malformed", "inner JWS url differs from outer")
        jws.verify(header, signing_input, sig, header["jwk"])
        obj = self._payload(inner)
        if obj.get("account") != acct["url"] or \
                not isinstance(obj.get("oldKey"), dict) or \
                jws.thumbprint(obj["oldKey"]) != jws.thumbprint(acct["jwk"]):
            raise Problem("malformed", "inner payload names another account"
                          " or old key")
        new = jws.thumbprint(header["jwk"])
        with self.lock:
            other = self.by_thumb.get(new)
            if other is not None:
                raise Problem("conflict", "key in use by another account",
                              409)
            del self.by_thumb[jws.thumbprint(acct["jwk"])]
            acct["jwk"] = header["jwk"]
            self.by_thumb[new] = acct
        lost = self.switch.hook("key_change_applied", self)
        if lost is not None:
            return lost
        return _json_reply(self._acct_json(acct))

    # ---------------------------------------------------------- orders

    def _new_order(self, path, headers, body):
        payload, acct, _ = self._signed(path, headers, body)
        obj = self._payload(payload)
        idents = obj.get("identifiers")
        if not isinstance(idents, list) or not idents:
            raise Problem("malformed", "identifiers must be a non-empty list")
        checked = [_ident(i) for i in idents]
        if len(set(checked)) != len(checked):
            raise Problem("malformed", "duplicate identifiers")
        profile = obj.get("profile")
        if profile is not None and profile not in ca_mod.PROFILES:
            raise Problem("invalidProfile", "profile %r is not offered; "
                          "valid profiles: %s" % (profile, ", ".join(
                              sorted(ca_mod.PROFILES))))
        for key in ("notBefore", "notAfter"):
            if key in obj:
                raise Problem("malformed", "%s is not supported" % key)
        with self.lock:
            replaces = self._check_replaces(obj.get("replaces"), acct,
                                            checked)
            oid = len(self.orders) + 1
            order = {"id": oid, "url": "%s/order/%d" % (self.base, oid),
                     "account": acct["id"], "status": "pending",
                     "expires": ca_mod.now() + datetime.timedelta(days=7),
                     "idents": checked, "profile": profile,
                     "replaces": replaces, "authzs": [], "cert": None,
                     "error": None}
            for kind, value, wild in checked:
                order["authzs"].append(self._new_authz(acct, kind, value,
                                                       wild))
            self.orders[oid] = order
            acct["orders"].append(oid)
        return _json_reply(self.order_json(order), 201,
                           {"Location": order["url"]})

    def _check_replaces(self, certid, acct, idents):
        """RFC 9773 section 5: the certificate a new order replaces."""
        if certid is None:
            return None
        rec = self.by_certid.get(certid) if isinstance(certid, str) else None
        if rec is None:
            raise Problem("malformed", "replaces: no certificate %r"
                          % (certid,))
        if rec["account"] != acct["id"]:
            raise Problem("unauthorized", "replaces: certificate issued to "
                          "another account", 403)
        if not set((k, v) for k, v, _ in idents) & rec["idents"]:
            raise Problem("malformed", "replaces: no identifier in common")
        for other in self.orders.values():
            if other["replaces"] == certid and other["status"] != "invalid":
                raise Problem("alreadyReplaced", "replaces: certificate "
                              "already replaced by " + other["url"], 409)
        return certid

    def _new_authz(self, acct, kind, value, wild):
        aid = len(self.authzs) + 1
        authz = {"id": aid, "url": "%s/authz/%d" % (self.base, aid),
                 "account": acct["id"], "status": "pending",
                 "ident": (kind, value), "wildcard": wild, "challs": [],
                 "expires": ca_mod.now() + datetime.timedelta(days=7)}
        types = ["dns-persist-01"] if wild else (
            ["http-01"] if kind == "ip" else ["http-01", "dns-persist-01"])
        for ctype in types:
            cid = len(self.challs) + 1
            token = jws.b64e(secrets.token_bytes(32))
            chall = {"id": cid, "url": "%s/chall/%d" % (self.base, cid),
                     "authz": aid, "type": ctype, "status": "pending",
                     "validated": None, "error": None,
                     "token": self.switch.hook("token", self, value=token)}
            self.challs[cid] = chall
            authz["challs"].append(cid)
        self.authzs[aid] = authz
        return aid

    def _refresh(self, order):
        if order["status"] != "pending":
            return
        states = [self.authzs[a]["status"] for a in order["authzs"]]
        if "invalid" in states:
            order["status"] = "invalid"
            order["error"] = {"type": "urn:ietf:params:acme:error:"
                              "unauthorized",
                              "detail": "an authorization failed"}
        elif all(s == "valid" for s in states):
            order["status"] = "ready"

    def order_json(self, order):
        """An order as RFC 8555 section 7.1.3 shows it."""
        self._refresh(order)
        out = {"status": order["status"],
               "expires": rfc3339(order["expires"]),
               "identifiers": [{"type": k, "value": ("*." if w else "") + v}
                               for k, v, w in order["idents"]],
               "authorizations": [self.authzs[a]["url"]
                                  for a in order["authzs"]],
               "finalize": order["url"] + "/finalize"}
        for key in ("profile", "replaces", "error"):
            if order[key] is not None:
                out[key] = order[key]
        if order["cert"] is not None:
            out["certificate"] = "%s/cert/%d" % (self.base, order["cert"])
        return self.switch.hook("order_json", self, value=out, order=order)

    def _order_reply(self, order):
        headers = {"Location": order["url"]}
        if order["status"] == "processing":
            headers["Retry-After"] = "1"
        return _json_reply(self.order_json(order), 200, headers)

    def _order(self, path, headers, body, oid):
        payload, acct, _ = self._signed(path, headers, body)
        self._payload(payload, want_empty=True)
        with self.lock:
            order = self._get(self.orders, oid, "order")
            self._own(order, acct, "order")
            return self._order_reply(order)

    def _finalize(self, path, headers, body, oid):
        payload, acct, _ = self._signed(path, headers, body)
        obj = self._payload(payload)
        with self.lock:
            order = self._get(self.orders, oid, "order")
            self._own(order, acct, "order")
            self._refresh(order)
            if order["status"] != "ready":
                raise Problem("orderNotReady", "order is %s"
                              % order["status"], 403)
            try:
                csr = x509.load_der_x509_csr(jws.b64d(obj.get("csr"), "csr"))
            except ValueError as exc:
                raise Problem("badCSR", "CSR does not parse: %s" % exc)
            if not csr.is_signature_valid:
                raise Problem("badCSR", "CSR signature does not verify")
            want = set((k, v if not w else "*." + v)
                       for k, v, w in order["idents"])
            got = ca_mod.csr_names(csr)
            if got != want:
                raise Problem("badCSR", "CSR names %s differ from the "
                              "order's %s" % (sorted(got), sorted(want)))
            order["status"] = "processing"
        threading.Thread(target=self._issue, args=(order, csr, want),
                         daemon=True).start()
        return self._order_reply(order)

    def _issue(self, order, csr, names):
        profile = order["profile"] or ca_mod.DEFAULT_PROFILE
        try:
            cert, pem = self.ca.issue(csr, names, profile)
        except Problem as p:
            with self.lock:
                order["status"] = "invalid"
                order["error"] = {"type": "urn:ietf:params:acme:error:"
                                  + p.ptype, "detail": p.detail}
            return
        with self.lock:
            rid = len(self.certs) + 1
            rec = {"id": rid, "cert": cert, "pem": pem, "revoked": None,
                   "account": order["account"], "idents": names,
                   "certid": ca_mod.cert_id(cert)}
            self.certs[rid] = rec
            self.by_certid[rec["certid"]] = rec
            order["cert"] = rid
            order["status"] = "valid"

    def _cert(self, path, headers, body, rid):
        payload, acct, _ = self._signed(path, headers, body)
        self._payload(payload, want_empty=True)
        with self.lock:
            rec = self._get(self.certs, rid, "certificate")
            self._own(rec, acct, "certificate")
            pem = self.switch.hook("cert_pem", self, value=rec["pem"],
                                   rec=rec)
            return Reply(200, pem, "application/pem-certificate-chain")

    # ---------------------------------------------------------- authz

    def _authz_json(self, authz):
        kind, value = authz["ident"]
        out = {"identifier": {"type": kind, "value": value},
               "status": authz["status"],
               "expires": rfc3339(authz["expires"]),
               "challenges": [self._chall_json(self.challs[c])
                              for c in authz["challs"]]}
        if authz["wildcard"]:
            out["wildcard"] = True
        return self.switch.hook("authz_json", self, value=out, authz=authz)

    def _chall_json(self, chall):
        out = {"type": chall["type"], "url": chall["url"],
               "status": chall["status"]}
        if chall["type"] == "http-01":
            out["token"] = chall["token"]
        else:
            out["issuer-domain-names"] = list(self.issuer_domains)
        if chall["validated"] is not None:
            out["validated"] = rfc3339(chall["validated"])
        if chall["error"] is not None:
            out["error"] = chall["error"]
        return out

    def _authz(self, path, headers, body, aid):
        payload, acct, _ = self._signed(path, headers, body)
        with self.lock:
            authz = self._get(self.authzs, aid, "authorization")
            self._own(authz, acct, "authorization")
            if payload != b"":
                obj = self._payload(payload)
                if obj.get("status") != "deactivated":
                    raise Problem("malformed", "status can only become "
                                  "deactivated")
                authz["status"] = "deactivated"
            return _json_reply(self._authz_json(authz))

    def _chall(self, path, headers, body, cid):
        payload, acct, _ = self._signed(path, headers, body)
        with self.lock:
            chall = self._get(self.challs, cid, "challenge")
            authz = self.authzs[chall["authz"]]
            self._own(authz, acct, "challenge")
            if payload != b"":
                self._payload(payload)
                if chall["status"] == "pending" and \
                        authz["status"] == "pending":
                    chall["status"] = "processing"
                    threading.Thread(target=self._validate,
                                     args=(acct, authz, chall),
                                     daemon=True).start()
            return _json_reply(self._chall_json(chall), 200, {
                "Link": '<%s>;rel="up"' % authz["url"]})

    def _validate(self, acct, authz, chall):
        try:
            if chall["type"] == "http-01":
                self._check_http01(acct, authz, chall)
            else:
                self._check_dns_persist(acct, authz)
            error = None
        except Problem as p:
            error = {"type": "urn:ietf:params:acme:error:" + p.ptype,
                     "detail": p.detail, "status": p.status}
        with self.lock:
            if error is None:
                chall["status"] = authz["status"] = "valid"
                chall["validated"] = ca_mod.now()
            else:
                chall["status"] = authz["status"] = "invalid"
                chall["error"] = error

    def _check_http01(self, acct, authz, chall):
        """Fetches the key authorization from 127.0.0.1 whatever the name,
        with the name in the Host header, as a real CA would send it."""
        value = authz["ident"][1]
        host = "[%s]" % value if ":" in value else value
        want = chall["token"] + "." + jws.thumbprint(acct["jwk"])
        url = "http://%s:%d/.well-known/acme-challenge/%s" % (
            host, self.http_port, chall["token"])
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port,
                                          timeout=5)
        try:
            conn.request("GET", "/.well-known/acme-challenge/" +
                         chall["token"], headers={"Host": host})
            resp = conn.getresponse()
            got = resp.read(1024)
        except (OSError, http.client.HTTPException) as exc:
            raise Problem("connection", "%s: %s" % (url, exc))
        finally:
            conn.close()
        if resp.status != 200:
            raise Problem("unauthorized", "%s: HTTP %d" % (url, resp.status),
                          403)
        if got.strip() != want.encode():
            raise Problem("incorrectResponse", "%s: got %r, want %r" %
                          (url, got[:100], want), 403)

    def _check_dns_persist(self, acct, authz):
        name = "_validation-persist." + authz["ident"][1]
        try:
            records = (dns_lookup(self.dns_server, name) if self.dns_server
                       else self.txt.lookup(name))
        except (OSError, ValueError) as exc:
            raise Problem("dns", "%s: TXT lookup: %s" % (name, exc))
        for rec in records:
            if self._persist_matches(rec, acct, authz["wildcard"]):
                return
        raise Problem("unauthorized", "%s: no TXT record for issuer %s and "
                      "accounturi=%s%s; found %r" % (
                          name, "/".join(self.issuer_domains), acct["url"],
                          " with policy=wildcard" if authz["wildcard"]
                          else "", records), 403)

    def _persist_matches(self, record, acct, wildcard):
        parts = [p.strip() for p in record.split(";")]
        issuer = parts[0].lower().rstrip(".")
        if issuer not in (d.lower().rstrip(".") for d in self.issuer_domains):
            return False
        params = {}
        for p in parts[1:]:
            key, sep, val = p.partition("=")
            if sep:
                params[key.strip().lower()] = val.strip()
        if params.get("accounturi") != acct["url"]:
            return False
        if wildcard and params.get("policy", "").lower() != "wildcard":
            return False
        until = params.get("persistuntil")
        if until is not None:
            if not until.isdigit() or int(until) < ca_mod.now().timestamp():
                return False
        return True

    # ---------------------------------------------------------- revocation, ARI

    def _revoke(self, path, headers, body):
        payload, acct, jwk = self._signed(path, headers, body, new_key=True)
        obj = self._payload(payload)
        try:
            cert = x509.load_der_x509_certificate(
                jws.b64d(obj.get("certificate"), "certificate"))
        except ValueError as exc:
            raise Problem("malformed", "certificate does not parse: %s" % exc)
        reason = obj.get("reason", 0)
        if not isinstance(reason, int) or reason not in REASONS:
            raise Problem("badRevocationReason", "reason %r" % (reason,))
        with self.lock:
            rec = self.by_certid.get(ca_mod.cert_id(cert)) \
                if self._issued_here(cert) else None
            if rec is None:
                raise Problem("malformed", "certificate not issued here", 404)
            if acct is not None:
                self._own(rec, acct, "certificate")
            elif jws.thumbprint(jwk) != jws.thumbprint(
                    jws.key_jwk(cert.public_key())):
                raise Problem("unauthorized", "JWS key is neither the "
                              "account's nor the certificate's", 403)
            if rec["revoked"] is not None:
                raise Problem("alreadyRevoked", "revoked already")
            rec["revoked"] = (reason, ca_mod.now())
        return Reply(200)

    def _issued_here(self, cert):
        try:
            aki = cert.extensions.get_extension_for_class(
                x509.AuthorityKeyIdentifier)
        except x509.ExtensionNotFound:
            return False
        return aki.value.key_identifier is not None

    def cert_by_serial(self, serial):
        """The record of the certificate with this serial (an int), or None."""
        with self.lock:
            for rec in self.certs.values():
                if rec["cert"].serial_number == serial:
                    return rec
        return None

    def window(self, rec):
        """The suggested renewal window of a certificate record: a window
        set through the management API, else the last third of its life
        but one sixth, else (revoked) one that has already passed."""
        serial = rec["cert"].serial_number
        if serial in self.windows:
            return self.windows[serial]
        if rec["revoked"] is not None:
            t = ca_mod.now()
            return (t - datetime.timedelta(hours=2),
                    t - datetime.timedelta(hours=1), None)
        nb, na = rec["cert"].not_valid_before, rec["cert"].not_valid_after
        nb = nb.replace(tzinfo=datetime.timezone.utc)
        life = na.replace(tzinfo=datetime.timezone.utc) - nb
        return nb + life * 2 / 3, nb + life * 5 / 6, None

    def _ari(self, certid):
        rec = self.by_certid.get(certid)
        if rec is None:
            parts = certid.split(".")
            if len(parts) != 2:
                raise Problem("malformed", "certID is not AKI.serial")
            for part in parts:
                jws.b64d(part, "certID")
            raise Problem("malformed", "no certificate %s" % certid, 404)
        with self.lock:
            start, end, why = self.window(rec)
        out = {"suggestedWindow": {"start": rfc3339(start),
                                   "end": rfc3339(end)}}
        if why:
            out["explanationURL"] = why
        return _json_reply(out, 200,
                           {"Retry-After": str(self.ari_retry_after)})
