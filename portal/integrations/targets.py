"""Where webhooks may go: public internet addresses only, unless the operator allows a host.

An admin types the endpoint URL in the browser. Without this guard "http://127.0.0.1:6379/",
"http://0x7f000001/" or the cloud metadata address would let them reach services inside our
network and read the answer in the delivery log. So a URL's host is resolved (every address)
and refused if any address is loopback, private, link-local, multicast, unspecified, CGNAT or
otherwise not global, also when written oddly (IPv4 in hex, octal, one number or short form;
IPv4 inside IPv6). A clinic's PMS on the LAN is legitimate: the server operator (never an
admin) allows it with WEBHOOK_ALLOWED_HOSTS, a comma-separated list of host names, addresses
and networks.

It is checked when an integration is saved and again before each delivery, because DNS can
change; and a delivery connects to the very addresses that were checked (PinnedHTTPConnection)
so a name that re-resolves elsewhere between check and connect (DNS rebinding) gets nowhere.
"""
import http.client
import ipaddress
import os
import re
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_app_context

from ..kernel.errors import InvalidInput

SETTING = "WEBHOOK_ALLOWED_HOSTS"
BAD_URL = ("Enter the endpoint as a full web address starting with https:// or http://, "
           "like https://pms.example.com/webhooks/rebook.")
DEFAULT_PORTS = {"http": 80, "https": 443}

_net = ipaddress.ip_network
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
PRIVATE = [_net("10.0.0.0/8"), _net("172.16.0.0/12"), _net("192.168.0.0/16"), _net("fc00::/7")]
CGNAT = _net("100.64.0.0/10")
IPV4_COMPATIBLE = _net("::/96")  # the deprecated ::a.b.c.d form
NAT64 = _net("64:ff9b::/96")  # the well-known NAT64 prefix: the last 32 bits are the IPv4

# (why the address is refused, how the message says it): first match wins.
_INSIDE, _NOT_PUBLIC = "points inside your network", "is not a public internet address"
_KINDS = [
    (lambda ip: ip.is_unspecified, "the unspecified address, meaning this server", _INSIDE),
    (lambda ip: ip.is_loopback, "this server itself", _INSIDE),
    (lambda ip: ip in METADATA, "the cloud metadata service", _INSIDE),
    (lambda ip: ip.is_link_local, "a link-local address", _INSIDE),
    (lambda ip: ip.version == 4 and ip in CGNAT, "a carrier-grade NAT address", _INSIDE),
    (lambda ip: ip.is_multicast, "a multicast address", _NOT_PUBLIC),
    (lambda ip: any(ip in net for net in PRIVATE if net.version == ip.version),
     "a private network address", _INSIDE),
    (lambda ip: not ip.is_global, "a reserved address", _NOT_PUBLIC),
]


class RefusedTarget(InvalidInput):
    """The URL's host is (or resolves to) an address webhooks may not go to."""
    code = "endpoint_url"


class UnresolvedTarget(InvalidInput):
    """The host name could not be looked up (a typo, or DNS is down): nothing to check yet."""
    code = "endpoint_url"


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as the URL names it: the Host header and the name TLS checks the certificate for
    port: int
    path: str  # what the request line asks for
    addresses: tuple  # the checked addresses, in the order to try; () when not looked up


def _embedded_ipv4(ip):
    """The IPv4 address an IPv6 one stands for (mapped, compatible, 6to4, NAT64), or None."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):  # :: and ::1 are themselves
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def why_refused(ip):
    """What the address is, in words, when webhooks may not go there; None for a public one."""
    if ip.version == 6:
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return why_refused(inner)
    for test, what, verb in _KINDS:
        if test(ip):
            return f"{verb} ({ip}, {what})"
    return None


def _literal(host):
    """The IP address a host is written as, however oddly (0x7f000001, 2130706433,
    017700000001, 127.1 all mean 127.0.0.1, as the C library reads them); None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if re.fullmatch(r"[0-9a-fx.]+", host) and not host.endswith("."):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def allowed(setting=SETTING):
    """The operator's WEBHOOK_ALLOWED_HOSTS (or another such `setting`, e.g. Web Push's
    PUSH_ALLOWED_HOSTS): (host names, networks). Config, then environment."""
    raw = (current_app.config.get(setting) if has_app_context() else None)
    if raw is None:
        raw = os.environ.get(setting, "")
    entries = raw.split(",") if isinstance(raw, str) else list(raw)
    names, networks = set(), []
    for entry in (e.strip().lower().rstrip(".") for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry)
    return names, networks


def _parse(url):
    try:
        parts = urlsplit(url)
        port = parts.port
        host = (parts.hostname or "").rstrip(".")
        if not host.isascii():  # the name DNS and the Host header know it by
            host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise InvalidInput(BAD_URL, "endpoint_url") from None
    if parts.scheme not in DEFAULT_PORTS or not host or port == 0 or parts.username \
            or parts.password is not None:
        raise InvalidInput(BAD_URL, "endpoint_url")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port or DEFAULT_PORTS[parts.scheme], path


def _look_up(host, port):
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvedTarget(
            f"We couldn't find the address of {host} ({exc}). Check the spelling of the "
            "endpoint URL; if the receiving system isn't set up yet, leave the endpoint empty "
            "for now.") from None
    ordered = dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in found)
    return list(ordered)


def vet(url, *, look_up_allowed=True, setting=SETTING, sends="webhooks"):
    """The URL as a Target whose every address webhooks may go to; RefusedTarget (with a
    message for people) or UnresolvedTarget otherwise. A host name the operator allows is
    trusted wherever it points, and only looked up when look_up_allowed (to connect).
    Web Push vets its endpoints here too, with its own operator `setting`."""
    scheme, host, port, path = _parse(url)
    names, networks = allowed(setting)
    literal = _literal(host)
    if literal is None and host in names:
        addresses = _look_up(host, port) if look_up_allowed else []
        return Target(scheme, host, port, path, tuple(str(a) for a in addresses))
    addresses = [literal] if literal is not None else _look_up(host, port)
    for address in addresses:
        if any(address.version == net.version and address in net for net in networks):
            continue
        why = why_refused(address)
        if why:
            subject = "This address" if literal is not None else host
            raise RefusedTarget(
                f"{subject} {why}. Rebook only sends {sends} to public addresses; your "
                f"server operator can allow it with {setting}.", "endpoint_url")
    return Target(scheme, host, port, path, tuple(str(a) for a in addresses))


class _Pinned:
    """Connects to the target's checked addresses, never to a fresh look-up of its name, while
    the Host header (and for HTTPS, SNI and the certificate check) use the name in the URL."""

    def pin(self, addresses):
        self._addresses = addresses
        self._create_connection = self._connect_checked  # what HTTPConnection.connect calls
        return self

    def _connect_checked(self, _address, timeout=None, source_address=None):
        failure = OSError(f"no checked address for {self.host}")
        for address in self._addresses:
            try:
                return socket.create_connection((address, self.port), timeout, source_address)
            except OSError as exc:  # try the next address, as create_connection would
                failure = exc
        raise failure


class PinnedHTTPConnection(_Pinned, http.client.HTTPConnection):
    pass


class PinnedHTTPSConnection(_Pinned, http.client.HTTPSConnection):
    pass


def connection(target, timeout):
    """An unopened connection to a vetted target (HTTPS verifies the certificate)."""
    if target.scheme == "https":
        made = PinnedHTTPSConnection(target.host, target.port, timeout=timeout,
                                     context=ssl.create_default_context())
    else:
        made = PinnedHTTPConnection(target.host, target.port, timeout=timeout)
    return made.pin(target.addresses)
