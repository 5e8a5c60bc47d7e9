"""The sandbox's HTTPS: a local certificate authority and the certificate it
issues for the sandbox, as Xero's identity and API hosts are https only.

``ensure(directory)`` makes, once, in ``directory``:

* ``ca.pem`` / ``ca-key.pem``: the local CA (what a client trusts: Odoo is
  told its path in the system parameter ``crm_xero.ca_file``);
* ``server.pem`` / ``server-key.pem``: the sandbox's certificate, for
  ``localhost``, ``127.0.0.1``, ``::1`` and any extra host names (Docker's
  ``sandbox``), re-issued by the same CA when a name is missing or it is
  about to expire.

    python -m xero_sandbox.tls ensure var/ca [--name sandbox]

Nothing here touches a trust store: only clients told the CA's path trust it.
"""
import argparse
import datetime
import ipaddress
import os
import ssl
import sys

CA_FILE, CA_KEY = "ca.pem", "ca-key.pem"
SERVER_FILE, SERVER_KEY = "server.pem", "server-key.pem"
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
CA_DAYS = 3650
SERVER_DAYS = 800
RENEW_BEFORE = datetime.timedelta(days=30)


def ensure(directory, names=()):
    """The CA file's path; the CA and the server certificate are made if
    missing (the server one also when it lacks one of ``names``)."""
    directory = os.path.abspath(directory)
    os.makedirs(directory, exist_ok=True)
    ca_path = os.path.join(directory, CA_FILE)
    if not (os.path.exists(ca_path) and os.path.exists(os.path.join(directory, CA_KEY))):
        _write_ca(directory)
    wanted = sorted(set(LOOPBACK_NAMES) | {n for n in names if n})
    if not _server_covers(directory, wanted):
        _write_server(directory, wanted)
    return ca_path


def server_context(directory):
    """An ``ssl.SSLContext`` serving the certificate of ``ensure(directory)``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(os.path.join(directory, SERVER_FILE),
                            os.path.join(directory, SERVER_KEY))
    return context


# -- generation (cryptography: Odoo's own requirements have it) ---------------------

def _x509():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    return x509, hashes, serialization, ec, ExtendedKeyUsageOID, NameOID


def _write_private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def _write_pair(directory, cert_name, key_name, certificate, key):
    _x, _h, serialization, *_rest = _x509()
    _write_private(os.path.join(directory, key_name), key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with open(os.path.join(directory, cert_name), "wb") as out:
        out.write(certificate.public_bytes(serialization.Encoding.PEM))


def _write_ca(directory):
    x509, hashes, _s, ec, _eku, NameOID = _x509()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "crm_xero local sandbox"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "crm_xero sandbox CA")])
    now = datetime.datetime.utcnow()
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256()))
    _write_pair(directory, CA_FILE, CA_KEY, certificate, key)
    # A new CA: any server certificate of the old one is worthless.
    for stale in (SERVER_FILE, SERVER_KEY):
        if os.path.exists(os.path.join(directory, stale)):
            os.remove(os.path.join(directory, stale))


def _load_ca(directory):
    x509, _h, serialization, *_rest = _x509()
    with open(os.path.join(directory, CA_FILE), "rb") as handle:
        certificate = x509.load_pem_x509_certificate(handle.read())
    with open(os.path.join(directory, CA_KEY), "rb") as handle:
        key = serialization.load_pem_private_key(handle.read(), password=None)
    return certificate, key


def _alt_names(names):
    x509 = _x509()[0]
    entries = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return entries


def _server_covers(directory, names):
    path = os.path.join(directory, SERVER_FILE)
    if not (os.path.exists(path) and os.path.exists(os.path.join(directory, SERVER_KEY))):
        return False
    x509 = _x509()[0]
    with open(path, "rb") as handle:
        certificate = x509.load_pem_x509_certificate(handle.read())
    ca, _key = _load_ca(directory)
    if certificate.issuer != ca.subject:
        return False
    if certificate.not_valid_after - RENEW_BEFORE < datetime.datetime.utcnow():
        return False
    present = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return all(entry in present for entry in _alt_names(names))


def _write_server(directory, names):
    x509, hashes, _s, ec, ExtendedKeyUsageOID, NameOID = _x509()
    ca, ca_key = _load_ca(directory)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xero_sandbox")]))
        .issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(_alt_names(names)), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256()))
    _write_pair(directory, SERVER_FILE, SERVER_KEY, certificate, key)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m xero_sandbox.tls",
                                     description="The sandbox's local CA and certificate.")
    parser.add_argument("command", choices=["ensure"])
    parser.add_argument("directory")
    parser.add_argument("--name", action="append", default=[],
                        help="an extra host name of the sandbox (repeatable), e.g. sandbox")
    args = parser.parse_args(argv)
    print(ensure(args.directory, args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
