"""acmesrv_jws: JWS (RFC 7515, flattened JSON serialization) as an ACME
server checks it (RFC 8555 section 6.2): the protected header's alg, nonce,
url and exactly one of jwk/kid, and the signature over the JWK's key.

Errors are raised as acmesrv_jws.Problem, which the server turns into an
RFC 7807 problem document with the urn:ietf:params:acme:error: type.
"""

import base64
import hashlib
import json

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import \
    encode_dss_signature

# alg -> (key class, curve name or None, hash, coordinate size)
ALGS = {
    "ES256": ("EC", "P-256", hashes.SHA256, 32),
    "ES384": ("EC", "P-384", hashes.SHA384, 48),
    "RS256": ("RSA", None, hashes.SHA256, 0),
    "EdDSA": ("OKP", "Ed25519", None, 0),
}
CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1}


class Problem(Exception):
    """An ACME error: type (without the URN prefix), detail, HTTP status
    and extra members for the problem document."""

    def __init__(self, ptype, detail, status=400, **extra):
        super().__init__(detail)
        self.ptype = ptype
        self.detail = detail
        self.status = status
        self.extra = extra


def b64d(text, what):
    """base64url without padding, as ACME requires; Problem otherwise."""
    if not isinstance(text, str) or "=" in text:
        raise Problem("malformed", "%s: not unpadded base64url" % what)
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise Problem("malformed", "%s: bad base64url: %s" % (what, exc))


def b64e(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int(jwk, name):
    return int.from_bytes(b64d(jwk.get(name), "jwk " + name), "big")


def jwk_key(jwk):
    """The public key a JWK describes; Problem badPublicKey when it does not
    describe one we accept."""
    if not isinstance(jwk, dict):
        raise Problem("malformed", "jwk is not an object")
    kty = jwk.get("kty")
    try:
        if kty == "EC" and jwk.get("crv") in CURVES:
            return ec.EllipticCurvePublicNumbers(
                _int(jwk, "x"), _int(jwk, "y"),
                CURVES[jwk["crv"]]()).public_key()
        if kty == "RSA":
            key = rsa.RSAPublicNumbers(_int(jwk, "e"),
                                       _int(jwk, "n")).public_key()
            if key.key_size < 2048:
                raise Problem("badPublicKey", "RSA key under 2048 bits")
            return key
        if kty == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(
                b64d(jwk.get("x"), "jwk x"))
    except ValueError as exc:
        raise Problem("badPublicKey", "jwk: %s" % exc)
    raise Problem("badPublicKey", "unsupported key type %r" % (kty,))


def thumbprint(jwk):
    """RFC 7638 thumbprint of a JWK, base64url."""
    req = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"),
           "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canon = json.dumps({k: jwk[k] for k in req}, sort_keys=True,
                       separators=(",", ":"))
    return b64e(hashlib.sha256(canon.encode()).digest())


def key_jwk(pub):
    """The JWK of a public key (for comparing a certificate's key)."""
    if isinstance(pub, ec.EllipticCurvePublicKey):
        n = pub.public_numbers()
        size = (pub.curve.key_size + 7) // 8
        crv = {"secp256r1": "P-256", "secp384r1": "P-384"}.get(pub.curve.name)
        return {"kty": "EC", "crv": crv, "x": b64e(n.x.to_bytes(size, "big")),
                "y": b64e(n.y.to_bytes(size, "big"))}
    if isinstance(pub, rsa.RSAPublicKey):
        n = pub.public_numbers()
        return {"kty": "RSA", "e": b64e(n.e.to_bytes((n.e.bit_length() + 7)
                                                     // 8, "big")),
                "n": b64e(n.n.to_bytes((n.n.bit_length() + 7) // 8, "big"))}
    if isinstance(pub, ed25519.Ed25519PublicKey):
        raw = pub.public_bytes(serialization.Encoding.Raw,
                               serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64e(raw)}
    return None


def _verify(alg, jwk, key, signing_input, sig):
    ktype, crv, hash_cls, size = ALGS[alg]
    if jwk.get("kty") != ktype or (crv is not None and jwk.get("crv") != crv):
        raise Problem("badSignatureAlgorithm",
                      "alg %s does not fit the %s key" % (alg, jwk.get("kty")),
                      algorithms=sorted(ALGS))
    try:
        if ktype == "EC":
            if len(sig) != 2 * size:
                raise InvalidSignature()
            der = encode_dss_signature(int.from_bytes(sig[:size], "big"),
                                       int.from_bytes(sig[size:], "big"))
            key.verify(der, signing_input, ec.ECDSA(hash_cls()))
        elif ktype == "RSA":
            key.verify(sig, signing_input, padding.PKCS1v15(), hash_cls())
        else:
            key.verify(sig, signing_input)
    except InvalidSignature:
        raise Problem("malformed", "JWS signature does not verify")


def parse(body):
    """The pieces of a flattened JWS: (protected header dict, payload bytes,
    signing input, signature). The signature is not checked here."""
    try:
        jws = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem("malformed", "request body is not JSON: %s" % exc)
    if not isinstance(jws, dict) or set(jws) - {"protected", "payload",
                                                 "signature", "header"}:
        raise Problem("malformed", "not a flattened JWS object")
    if "header" in jws:
        raise Problem("malformed", "unprotected header not allowed")
    for part in ("protected", "payload", "signature"):
        if not isinstance(jws.get(part), str):
            raise Problem("malformed", "JWS %s missing" % part)
    try:
        header = json.loads(b64d(jws["protected"], "protected"))
    except (ValueError, UnicodeDecodeError):
        raise Problem("malformed", "protected header is not JSON")
    if not isinstance(header, dict):
        raise Problem("malformed", "protected header is not an object")
    signing_input = (jws["protected"] + "." + jws["payload"]).encode()
    return (header, b64d(jws["payload"], "payload"), signing_input,
            b64d(jws["signature"], "signature"))


def check_header(header, url):
    """Checks alg, url and the jwk/kid choice; the nonce is the caller's."""
    alg = header.get("alg")
    if alg not in ALGS:
        raise Problem("badSignatureAlgorithm",
                      "alg %r not supported" % (alg,), algorithms=sorted(ALGS))
    if header.get("url") != url:
        raise Problem("unauthorized", "JWS url %r is not the request URL %s"
                      % (header.get("url"), url), status=401)
    if ("jwk" in header) == ("kid" in header):
        raise Problem("malformed", "exactly one of jwk and kid is required")
    if not isinstance(header.get("nonce"), str):
        raise Problem("badNonce", "JWS has no nonce")


def verify(header, signing_input, sig, jwk):
    """Checks the signature with the JWK (the header's own or the account's);
    returns the public key."""
    key = jwk_key(jwk)
    _verify(header["alg"], jwk, key, signing_input, sig)
    return key
