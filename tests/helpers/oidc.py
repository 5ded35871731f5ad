"""A stand-in for the bureau's OpenID Connect provider (outside the project): an RSA key, its
JWKS and metadata served on a local port, tokens signed with it, and the authorization code flow
with PKCE (S256) as a browser meets it: ``/authorize`` signs in whoever the test named with
``sign_in_as`` and sends the browser back with a code, ``/token`` gives tokens for that code only
with the verifier whose challenge it was given. The gateway and the console check the tokens
through their real validation paths."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://sso.bureau.test/realms/staff"
AUDIENCE = "lifecycle-gateway"
CLIENT = "lifecycle-console"


class Issuer:
    def __init__(self, kid: str = "test-key-1") -> None:
        self.kid = kid
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwks = json.dumps({"keys": [{**jwk, "kid": kid, "use": "sig", "alg": "RS256"}]}).encode()
        self.person: dict[str, Any] | None = None
        self.codes: dict[str, dict[str, Any]] = {}
        self.verified: list[str] = []  # the PKCE methods the token endpoint checked
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    self._json(issuer.metadata())
                elif url.path == "/authorize":
                    self._authorize(parse_qs(url.query))
                else:
                    self._reply(200, "application/json", jwks)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("content-length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                answer = issuer.exchange(form)
                if answer is None:
                    self._reply(400, "application/json", b'{"error": "invalid_grant"}')
                else:
                    self._json(answer)

            def _authorize(self, asked: dict[str, list[str]]) -> None:
                one = {k: v[0] for k, v in asked.items()}
                if one.get("code_challenge_method") != "S256" or issuer.person is None:
                    self._reply(400, "text/plain", b"PKCE S256 is required")
                    return
                code = secrets.token_urlsafe(16)
                issuer.codes[code] = {**one, "person": issuer.person}
                back = f"{one['redirect_uri']}?{urlencode({'code': code, 'state': one['state']})}"
                self.send_response(302)
                self.send_header("location", back)
                self.end_headers()

            def _json(self, body: dict[str, Any]) -> None:
                self._reply(200, "application/json", json.dumps(body).encode())

            def _reply(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def jwks_url(self) -> str:
        return f"{self.base}/jwks.json"

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": ISSUER,
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "jwks_uri": self.jwks_url,
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def env(self) -> dict[str, str]:
        return {
            "LIFECYCLE_OIDC_ISSUER": ISSUER,
            "LIFECYCLE_OIDC_AUDIENCE": AUDIENCE,
            "LIFECYCLE_OIDC_JWKS_URL": self.jwks_url,
            "LIFECYCLE_OIDC_ROLE_CLAIM": "realm_access.roles",
        }

    def console_env(self) -> dict[str, str]:
        """The gateway's settings and the console's client at this provider."""
        return {
            **self.env(),
            "LIFECYCLE_OIDC_CLIENT_ID": CLIENT,
            "LIFECYCLE_OIDC_METADATA_URL": f"{self.base}/.well-known/openid-configuration",
        }

    def sign_in_as(self, sub: str, roles: list[str], **claims: Any) -> None:
        """Who the next person sent to /authorize is (the provider's own login, decided)."""
        self.person = {"sub": sub, "roles": roles, **claims}

    def exchange(self, form: dict[str, str]) -> dict[str, Any] | None:
        held = self.codes.pop(form.get("code", ""), None)
        verifier = form.get("code_verifier", "")
        if held is None or form.get("redirect_uri") != held["redirect_uri"]:
            return None
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != held["code_challenge"]:
            return None
        self.verified.append("S256")
        person = dict(held["person"])
        sub, roles = person.pop("sub"), person.pop("roles")
        id_token = self.token(sub, roles, aud=CLIENT, nonce=held.get("nonce"), **person)
        return {
            "access_token": self.token(sub, roles, **person),
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": 600,
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
            **{k: v for k, v in claims.items() if v is not None},
        }
        return jwt.encode(body, self.key, algorithm="RS256", headers={"kid": self.kid})

    def close(self) -> None:
        self.server.shutdown()
