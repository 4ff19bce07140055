#!/usr/bin/python3
"""acmeclient: a minimal ACME client for the test server's own self-test, to
reach what certdeck cannot ask for yet (profiles, dns-persist-01, replaces,
a challenge's raw token). ES256 account key kept in a state file; every
command prints one JSON document on stdout.

  acmeclient.py --dir URL --ca FILE --state FILE order [--profile P]
                [--replaces CERTID] NAME...
        registers (once), orders NAME..., prints {"account", "order",
        "orderURL", "authzs"}; a problem document and exit 1 on refusal
  acmeclient.py ... answer CHALLENGE_URL
        answers the challenge, waits for its authorization to settle
        (bounded), prints the authorization
  acmeclient.py --dir URL --ca FILE --key PEM lookup
        asks which account the ES256 key PEM belongs to (newAccount with
        onlyReturnExisting, RFC 8555 §7.3.1), creating none; prints
        {"status", "location", "body"}
  acmeclient.py get PATH < JSON
        prints the value at PATH (keys and list indexes joined by ".")

A nonce the server refuses (badNonce) is retried with a fresh one, at most
20 times (Pebble refuses some on purpose).
"""

import argparse
import base64
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import \
    decode_dss_signature


def b64e(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Client:
    def __init__(self, dir_url, ca, state, key=None):
        self.ctx = ssl.create_default_context(cafile=ca)
        self.state = state
        self.dir = self._req(dir_url)[2]
        st = {}
        if key:
            with open(key) as f:
                st = {"key": f.read()}
        elif os.path.exists(state):
            with open(state) as f:
                st = json.load(f)
        if "key" in st:
            self.key = serialization.load_pem_private_key(
                st["key"].encode(), None)
        else:
            self.key = ec.generate_private_key(ec.SECP256R1())
        self.kid = st.get("kid")

    def _req(self, url, data=None):
        req = urllib.request.Request(url, data=data, headers={
            "Content-Type": "application/jose+json"} if data else {})
        try:
            with urllib.request.urlopen(req, context=self.ctx,
                                        timeout=10) as r:
                code, headers, body = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            code, headers, body = e.code, e.headers, e.read()
        ctype = headers.get("Content-Type", "")
        if ctype.split(";")[0].strip().endswith("json"):
            body = json.loads(body)
        return code, headers, body

    def _jwk(self):
        n = self.key.public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256",
                "x": b64e(n.x.to_bytes(32, "big")),
                "y": b64e(n.y.to_bytes(32, "big"))}

    def post(self, url, payload):
        """A signed POST (payload None: POST-as-GET); (code, headers, body)."""
        for _ in range(20):
            code, headers, body = self._post(url, payload)
            if not (code == 400 and isinstance(body, dict) and
                    body.get("type", "").endswith(":badNonce")):
                break
        return code, headers, body

    def _post(self, url, payload):
        nonce = self._req(self.dir["newNonce"])[1]["Replay-Nonce"]
        prot = {"alg": "ES256", "nonce": nonce, "url": url}
        if self.kid:
            prot["kid"] = self.kid
        else:
            prot["jwk"] = self._jwk()
        p64 = b64e(json.dumps(prot).encode())
        body = b"" if payload is None else json.dumps(payload).encode()
        pl64 = b64e(body)
        der = self.key.sign((p64 + "." + pl64).encode(),
                            ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        sig = b64e(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
        return self._req(url, json.dumps({"protected": p64, "payload": pl64,
                                          "signature": sig}).encode())

    def account(self):
        if self.kid:
            return self.kid
        code, headers, body = self.post(self.dir["newAccount"], {
            "termsOfServiceAgreed": True})
        if code not in (200, 201):
            fail(body)
        self.kid = headers["Location"]
        pem = self.key.private_bytes(serialization.Encoding.PEM,
                                     serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()).decode()
        with open(self.state, "w") as f:
            json.dump({"key": pem, "kid": self.kid}, f)
        return self.kid


def fail(doc):
    print(json.dumps(doc, indent=2))
    sys.exit(1)


def cmd_order(c, args):
    acct = c.account()
    payload = {"identifiers": [{"type": "dns", "value": n}
                               for n in args.names]}
    if args.profile:
        payload["profile"] = args.profile
    if args.replaces:
        payload["replaces"] = args.replaces
    code, headers, order = c.post(c.dir["newOrder"], payload)
    if code != 201:
        fail(order)
    authzs = [c.post(u, None)[2] for u in order["authorizations"]]
    print(json.dumps({"account": acct, "order": order,
                      "orderURL": headers["Location"], "authzs": authzs},
                     indent=2))


def cmd_answer(c, args):
    c.account()
    code, headers, body = c.post(args.url, {})
    if code != 200:
        fail(body)
    up = headers["Link"].split(">")[0].lstrip("<")
    deadline = time.monotonic() + 20
    while True:
        authz = c.post(up, None)[2]
        if authz["status"] != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    print(json.dumps(authz, indent=2))


def cmd_lookup(c, args):
    code, headers, body = c.post(c.dir["newAccount"],
                                 {"onlyReturnExisting": True})
    print(json.dumps({"status": code, "location": headers.get("Location"),
                      "body": body}, indent=2))


def cmd_get(args):
    v = json.load(sys.stdin)
    for part in args.path.split("."):
        v = v[int(part)] if isinstance(v, list) else v[part]
    print(v if isinstance(v, str) else json.dumps(v))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir")
    p.add_argument("--ca")
    p.add_argument("--state")
    p.add_argument("--key")
    sub = p.add_subparsers(dest="cmd", required=True)
    o = sub.add_parser("order")
    o.add_argument("--profile")
    o.add_argument("--replaces")
    o.add_argument("names", nargs="+")
    sub.add_parser("answer").add_argument("url")
    sub.add_parser("lookup")
    sub.add_parser("get").add_argument("path")
    args = p.parse_args()
    if args.cmd == "get":
        return cmd_get(args)
    c = Client(args.dir, args.ca, args.state, args.key)
    {"order": cmd_order, "answer": cmd_answer,
     "lookup": cmd_lookup}[args.cmd](c, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
