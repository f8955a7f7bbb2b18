"""The webhook-target tests' view of the OS boundary and their HTTPS receiver.

`network` (autouse where imported) records every socket connect and name look-up: a connect
to anything but loopback fails the test before it happens, and no name but localhost is ever
looked up (no outside DNS); a test may give a made-up name its answers. `allow` sets the
operator's WEBHOOK_ALLOWED_HOSTS for one test. `tls_receiver` is tests/support/webhook_receiver.py's
receiver speaking HTTPS with a certificate for "localhost" from a throwaway CA."""
import ipaddress
import socket
import ssl
import subprocess

import pytest

from tests.support import webhook_receiver


def _loopback(host):
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


class Network:
    """What the code under test asked the OS for: connections and name look-ups."""

    def __init__(self):
        self.connects, self.lookups = [], []
        self.answers = {}  # name -> [address lists]: a made-up DNS answer per look-up, in turn


@pytest.fixture(autouse=True)
def network(monkeypatch):
    seen = Network()
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(sock, address):
        seen.connects.append(address)
        if not _loopback(address[0]):
            pytest.fail(f"a socket connected to {address}: tests only talk to loopback")
        return real_connect(sock, address)

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        seen.lookups.append(name)
        if name in seen.answers:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM,
                     6, "", (a, port)) for a in seen.answers[name].pop(0)]
        if name not in (None, "localhost", "localhost.") and not _is_literal(name):
            raise socket.gaierror(socket.EAI_NONAME, "not looked up: no outside DNS in tests")
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return seen


def _is_literal(name):
    try:
        ipaddress.ip_address(name.split("%")[0])
        return True
    except ValueError:
        return False


@pytest.fixture
def allow(app, monkeypatch):
    """Set the operator's WEBHOOK_ALLOWED_HOSTS for one test; it starts empty here (the suite's
    own allowance for its loopback receivers is lifted)."""
    def set_to(value):
        monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", value)
    set_to("")
    return set_to


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A throwaway CA and a certificate it signed for "localhost" only (openssl, as Debian
    ships it): (CA file, certificate file, key file)."""
    folder = tmp_path_factory.mktemp("tls")
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, csr, ext = (folder / "cert.pem", folder / "cert.key", folder / "cert.csr",
                           folder / "ext.cnf")
    ext.write_text("subjectAltName=DNS:localhost\nbasicConstraints=critical,CA:FALSE\n"
                   "keyUsage=critical,digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\n"
                   "authorityKeyIdentifier=keyid\n")
    for args in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
             "-days", "2", "-subj", "/CN=Rebook test CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
             "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
             "-out", cert, "-days", "2", "-extfile", ext]):
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)
    return ca, cert, key


@pytest.fixture
def tls_receiver(certificates, monkeypatch):
    """A receiver on 127.0.0.1 speaking HTTPS, that notes the name each client asked for (SNI);
    our side trusts the test CA through SSL_CERT_FILE, as an operator's own CA would be."""
    ca, cert, key = certificates
    monkeypatch.setenv("SSL_CERT_FILE", str(ca))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    found = webhook_receiver.Receiver()
    found.server_names = []
    context.sni_callback = lambda _sock, name, _context: found.server_names.append(name)
    thread = webhook_receiver.start(found, tls=context)
    yield found
    webhook_receiver.stop(found, thread)
