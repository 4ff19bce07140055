"""acmesrv_ca: the test server's certificate authority: a root and an
intermediate made at start (EC P-256, in memory), leaf certificates issued
from a CSR's key for the order's names, and the RFC 9773 certificate
identifier (base64url(AKI keyIdentifier) "." base64url(serial bytes))."""

import datetime
import ipaddress
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from acmesrv_jws import Problem, b64e

# Profiles the directory lists: name -> (description, lifetime, whether the
# subject carries a common name). As at Let's Encrypt, short-lived
# certificates have an empty subject and their names in the SAN alone.
PROFILES = {
    "classic": ("90-day certificates, the long-standing default",
                datetime.timedelta(days=90), True),
    "shortlived": ("6-day certificates, names in the SAN only",
                   datetime.timedelta(days=6), False),
}
DEFAULT_PROFILE = "classic"


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ca_cert(subject, key, issuer, issuer_key, pathlen):
    pub = key.public_key()
    b = (x509.CertificateBuilder()
         .subject_name(_name(subject)).issuer_name(_name(issuer))
         .public_key(pub).serial_number(x509.random_serial_number())
         .not_valid_before(now() - datetime.timedelta(hours=1))
         .not_valid_after(now() + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=True, path_length=pathlen),
                        critical=True)
         .add_extension(x509.KeyUsage(
             digital_signature=True, content_commitment=False,
             key_encipherment=False, data_encipherment=False,
             key_agreement=False, key_cert_sign=True, crl_sign=True,
             encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub),
                        critical=False))
    if issuer_key is not key:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer_key.public_key()), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def cert_id(cert):
    """The RFC 9773 certificate identifier of an issued certificate."""
    aki = cert.extensions.get_extension_for_class(
        x509.AuthorityKeyIdentifier).value.key_identifier
    return b64e(aki) + "." + b64e(serial_bytes(cert.serial_number))


def serial_bytes(serial):
    """The content octets of the DER INTEGER for a positive serial."""
    return serial.to_bytes(serial.bit_length() // 8 + 1, "big")


def csr_names(csr):
    """The identifiers a CSR asks for, as a set of (type, value)."""
    names = set()
    try:
        san = csr.extensions.get_extension_for_class(
            x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        san = []
    for gn in san:
        if isinstance(gn, x509.DNSName):
            names.add(("dns", gn.value.lower()))
        elif isinstance(gn, x509.IPAddress):
            names.add(("ip", str(gn.value)))
        else:
            raise Problem("badCSR", "CSR has a name of type %s"
                          % type(gn).__name__)
    for attr in csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME):
        cn = attr.value.lower()
        try:
            names.add(("ip", str(ipaddress.ip_address(cn))))
        except ValueError:
            names.add(("dns", cn))
    return names


class CA:
    """Root, intermediate, and the certificates issued so far."""

    def __init__(self, name="acmesrv"):
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _ca_cert(name + " root", self.root_key,
                             name + " root", self.root_key, 1)
        self.int_key = ec.generate_private_key(ec.SECP256R1())
        self.intermediate = _ca_cert(name + " intermediate", self.int_key,
                                     name + " root", self.root_key, 0)

    def pem(self, cert):
        return cert.public_bytes(serialization.Encoding.PEM)

    def issue(self, csr, idents, profile):
        """A leaf for the CSR's key carrying exactly idents; returns
        (certificate, PEM chain leaf first)."""
        pub = csr.public_key()
        if isinstance(pub, rsa.RSAPublicKey) and pub.key_size < 2048:
            raise Problem("badCSR", "RSA key under 2048 bits")
        if not isinstance(pub, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)):
            raise Problem("badCSR", "unsupported CSR key type")
        sans = [x509.IPAddress(ipaddress.ip_address(v)) if t == "ip"
                else x509.DNSName(v) for t, v in sorted(idents)]
        _, lifetime, with_cn = PROFILES[profile]
        subject = x509.Name([])
        if with_cn:
            first = sorted(idents, key=lambda i: i[0] != "dns")[0][1]
            subject = _name(first)
        start = now() - datetime.timedelta(minutes=1)
        serial = int.from_bytes(secrets.token_bytes(16), "big") | 1 << 127
        b = (x509.CertificateBuilder()
             .subject_name(subject)
             .issuer_name(self.intermediate.subject)
             .public_key(pub).serial_number(serial)
             .not_valid_before(start).not_valid_after(start + lifetime)
             .add_extension(x509.SubjectAlternativeName(sans), critical=True)
             .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                            critical=True)
             .add_extension(x509.KeyUsage(
                 digital_signature=True,
                 key_encipherment=isinstance(pub, rsa.RSAPublicKey),
                 content_commitment=False, data_encipherment=False,
                 key_agreement=False, key_cert_sign=False, crl_sign=False,
                 encipher_only=False, decipher_only=False), critical=True)
             .add_extension(x509.ExtendedKeyUsage(
                 [ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
             .add_extension(x509.SubjectKeyIdentifier.from_public_key(pub),
                            critical=False)
             .add_extension(
                 x509.AuthorityKeyIdentifier.from_issuer_public_key(
                     self.int_key.public_key()), critical=False))
        cert = b.sign(self.int_key, hashes.SHA256())
        return cert, self.pem(cert) + self.pem(self.intermediate)
