"""A Web Push service on loopback, and a browser's side of a subscription, for push tests.

`Device` is what a browser makes when PushManager.subscribe runs: a P-256 key pair and a
16-byte auth secret, given to the page as the keys p256dh and auth. `PushService` is a small
HTTP server on 127.0.0.1 (port 0) standing in for FCM or Mozilla's autopush: it checks each
POST's VAPID token (RFC 8292) and decrypts the body (RFC 8291) with code written here from the
RFCs, on cryptography's primitives alone, not with the libraries Rebook sends with.
"""
import base64
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _point(public_key):
    return public_key.public_bytes(serialization.Encoding.X962,
                                   serialization.PublicFormat.UncompressedPoint)


class Device:
    """One browser's subscription keys; `subscription(endpoint)` is PushSubscription.toJSON()."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self, endpoint):
        return {"endpoint": endpoint, "expirationTime": None,
                "keys": {"p256dh": b64(_point(self.private_key.public_key())),
                         "auth": b64(self.auth)}}

    def decrypt(self, body):
        """RFC 8291 §3.4 and RFC 8188: the plaintext of an aes128gcm push body (one record)."""
        salt, record_size, id_length = body[:16], int.from_bytes(body[16:20], "big"), body[20]
        sender = body[21:21 + id_length]  # the sender's ephemeral public key
        ciphertext = body[21 + id_length:]
        assert record_size >= len(ciphertext) and id_length == 65
        shared = self.private_key.exchange(
            ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), sender))
        info = b"WebPush: info\x00" + _point(self.private_key.public_key()) + sender
        ikm = HKDF(hashes.SHA256(), 32, self.auth, info).derive(shared)
        cek = HKDF(hashes.SHA256(), 16, salt, b"Content-Encoding: aes128gcm\x00").derive(ikm)
        nonce = HKDF(hashes.SHA256(), 12, salt, b"Content-Encoding: nonce\x00").derive(ikm)
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None).rstrip(b"\x00")
        assert padded.endswith(b"\x02"), "the last record ends with the 0x02 delimiter"
        return padded[:-1]


def vapid_claims(authorization, public_key):
    """The JWT's claims if the header is `vapid t=<JWT>, k=<key>` with k == public_key and an
    ES256 signature that key verifies; raises AssertionError or InvalidSignature otherwise."""
    match = re.fullmatch(r"vapid t=([\w.-]+),\s*k=([\w-]+)", authorization or "")
    assert match, f"not a VAPID Authorization header: {authorization!r}"
    token, key = match.groups()
    assert key == public_key, "k is not the instance's public key"
    header, claims, signature = token.split(".")
    assert json.loads(unb64(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64(signature)
    assert len(raw) == 64
    verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(key))
    verifier.verify(utils.encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                               int.from_bytes(raw[32:], "big")),
                    f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    return json.loads(unb64(claims))


class PushService:
    """Keeps every POST; answers `script` statuses in turn, then `default` (201 Created)."""

    def __init__(self):
        self.requests, self.script, self.default = [], [], 201
        self.lock = threading.Lock()
        self.server = self.thread = None

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def endpoint(self, name="device-1"):
        return f"{self.origin}/push/v2/{name}"

    def start(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with service.lock:
                    service.requests.append(SimpleNamespace(
                        path=self.path, headers=self.headers, body=body, at=time.time()))
                    status = service.script.pop(0) if service.script else service.default
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


__all__ = ["Device", "PushService", "vapid_claims", "b64", "unb64", "InvalidSignature"]
