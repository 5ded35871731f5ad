"""A stand-in for the bureau's OpenID Connect provider (outside the project): an RSA key, its
JWKS served on a local port, and tokens signed with it. The gateway checks them through its
real validation path."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://sso.bureau.test/realms/staff"
AUDIENCE = "lifecycle-gateway"


class Issuer:
    def __init__(self, kid: str = "test-key-1") -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        body = json.dumps({"keys": [{**jwk, "kid": kid, "use": "sig", "alg": "RS256"}]}).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def jwks_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"

    def env(self) -> dict[str, str]:
        return {
            "LIFECYCLE_OIDC_ISSUER": ISSUER,
            "LIFECYCLE_OIDC_AUDIENCE": AUDIENCE,
            "LIFECYCLE_OIDC_JWKS_URL": self.jwks_url,
            "LIFECYCLE_OIDC_ROLE_CLAIM": "realm_access.roles",
        }

    def token(
        self,
        sub: str,
        roles: list[str],
        expires_in: int = 600,
        iss: str = ISSUER,
        aud: str = AUDIENCE,
        **claims: Any,
    ) -> str:
        now = int(time.time())
        body = {
            "sub": sub,
            "iss": iss,
            "aud": aud,
            "iat": now,
            "exp": now + expires_in,
            "realm_access": {"roles": roles},
            **claims,
        }
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": self.kid})

    def close(self) -> None:
        self.server.shutdown()
