"""Who is asking: a person with a bearer token from the bureau's OpenID Connect provider, or a
system (or person) with an API key made by ``lifecycle api-key create``. Identity decides the
role, the district and the credit code; a request never does. Every face that knows people
(the gateway, the console) asks here."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lifecycle.app.failures import unavailable
from lifecycle.domain.states import Role
from lifecycle.errors import NotAllowed, Unauthenticated, Unavailable
from lifecycle.store.keys import PREFIX, ApiKeys, KeyHolder

if TYPE_CHECKING:
    import jwt

# What a key or token may do beyond its role's actions.
READ, ACT, EVENTS, CODEC = "read", "act", "events", "codec"
SCOPES = (READ, ACT, EVENTS, CODEC)
STAFF = (Role.BUREAU_OFFICER, Role.DISTRICT_OFFICER, Role.EXPERT)
DEFAULT_SCOPE = {
    Role.SYSTEM: (EVENTS,),
    Role.BUREAU_OFFICER: (READ, ACT, CODEC),
    Role.DISTRICT_OFFICER: (READ, ACT, CODEC),
    Role.EXPERT: (READ, ACT, CODEC),
    Role.PROVIDER: (READ, ACT),
    Role.ENTERPRISE: (ACT,),
    Role.PUBLIC: (ACT,),
}


# Providers and enterprises act as their organisation: the actor id is its credit code.
ORGANISATIONS = (Role.PROVIDER, Role.ENTERPRISE)


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    assurance: str  # "oidc" or "api-key"
    district: str | None = None
    credit_code: str | None = None
    scope: tuple[str, ...] = field(default_factory=tuple)
    # The API key's holder as the gateway checked it (in the store, or lately while the store
    # cannot be used): what an event's signature is checked against.
    holder: KeyHolder | None = field(default=None, compare=False, repr=False)

    @property
    def actor(self) -> str:
        """The actor written to the case and its audit row: the authenticated subject."""
        tail = f"@{self.district}" if self.role == Role.DISTRICT_OFFICER and self.district else ""
        ident = (
            self.credit_code if self.role in ORGANISATIONS and self.credit_code else self.subject
        )
        return f"{self.role.value}:{ident}{tail}"

    @property
    def staff(self) -> bool:
        return self.role in STAFF

    def may(self, scope: str) -> bool:
        return scope in self.scope


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    audience: str
    jwks_url: str
    role_claim: str = "role"
    district_claim: str = "district"
    credit_code_claim: str = "credit_code"
    subject_claim: str = "sub"
    algorithms: tuple[str, ...] = ("RS256", "ES256")

    @classmethod
    def from_env(cls) -> OidcSettings | None:
        issuer = os.environ.get("LIFECYCLE_OIDC_ISSUER")
        audience = os.environ.get("LIFECYCLE_OIDC_AUDIENCE")
        jwks = os.environ.get("LIFECYCLE_OIDC_JWKS_URL")
        if not (issuer and audience and jwks):
            return None
        env = os.environ.get
        return cls(
            issuer=issuer,
            audience=audience,
            jwks_url=jwks,
            role_claim=env("LIFECYCLE_OIDC_ROLE_CLAIM") or "role",
            district_claim=env("LIFECYCLE_OIDC_DISTRICT_CLAIM") or "district",
            credit_code_claim=env("LIFECYCLE_OIDC_CREDIT_CODE_CLAIM") or "credit_code",
            subject_claim=env("LIFECYCLE_OIDC_SUBJECT_CLAIM") or "sub",
        )


KEY_GRACE = 15 * 60  # seconds a key checked against the store holds while the store is down
KEYS_SEEN = 4096


def principal_of_holder(holder: KeyHolder) -> Principal:
    """Who an API key's holder is: its name, role, district or credit code and scopes."""
    scope = tuple(s for s in holder.scope if "=" not in s)
    extra = dict(s.split("=", 1) for s in holder.scope if "=" in s)
    return Principal(
        subject=holder.name,
        role=Role(holder.role),
        assurance="api-key",
        district=extra.get("district"),
        credit_code=extra.get("credit_code"),
        scope=scope,
        holder=holder,
    )


def token_expiry(token: str) -> float | None:
    """When a token (already checked) expires, to end a session made from it then."""
    import jwt  # loaded where tokens are read: a command that reads none never loads it

    try:
        exp = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.InvalidTokenError:
        return None
    return float(exp) if isinstance(exp, int | float) else None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or by a dotted path into nested claims (``realm_access.roles``)."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class Authenticator:
    def __init__(self, keys: ApiKeys, oidc: OidcSettings | None) -> None:
        self.keys, self.oidc = keys, oidc
        # Keys this gateway checked against the store lately (by their hash): while the store
        # cannot be used, a key checked within KEY_GRACE still holds (no key is revoked while
        # the store is down: revoking writes to it).
        self._seen: dict[str, tuple[KeyHolder | None, float]] = {}
        self._jwks: jwt.PyJWKClient | None = None
        if oidc:
            import jwt

            self._jwks = jwt.PyJWKClient(oidc.jwks_url, cache_keys=True)

    def principal(self, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthenticated(
                "This request carries no credentials; send 'Authorization: Bearer TOKEN' with "
                "a token from the bureau's sign-in or an API key."
            )
        scheme, _, credential = authorization.partition(" ")
        credential = credential.strip()
        if scheme.lower() != "bearer" or not credential:
            raise Unauthenticated("The Authorization header must read 'Bearer TOKEN'.")
        if credential.startswith(PREFIX):
            return self._api_key(credential)
        return self._token(credential)

    def _api_key(self, key: str) -> Principal:
        try:
            holder = self.keys.holder(key)
        except Exception as exc:
            if unavailable(exc) is None:
                raise
            holder = self._checked(key)
        else:
            self._remember(key, holder)
        if holder is None:
            raise Unauthenticated("This API key is not valid: unknown, mistyped or revoked.")
        return principal_of_holder(holder)

    def _remember(self, key: str, holder: KeyHolder | None) -> None:
        self._seen[_digest(key)] = (holder, time.monotonic())
        while len(self._seen) > KEYS_SEEN:
            del self._seen[next(iter(self._seen))]

    def _checked(self, key: str) -> KeyHolder | None:
        seen = self._seen.get(_digest(key))
        if seen is None or time.monotonic() - seen[1] > KEY_GRACE:
            raise Unavailable(
                "The store (database) cannot be used now, and this API key was not checked "
                f"in the last {KEY_GRACE // 60:g} minutes, so it cannot be checked (engine "
                "rule); try again when the store is back."
            )
        return seen[0]

    def _token(self, token: str) -> Principal:
        if self.oidc is None or self._jwks is None:
            raise Unauthenticated(
                "This gateway takes no sign-in tokens (LIFECYCLE_OIDC_ISSUER, _AUDIENCE and "
                "_JWKS_URL are not set); use an API key."
            )
        oidc = self.oidc
        import jwt

        try:
            key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(oidc.algorithms),
                audience=oidc.audience,
                issuer=oidc.issuer,
                options={"require": ["exp", "iss", "aud"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("The token has expired; sign in again.") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated(f"The token was not issued by {oidc.issuer}.") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(
                f"The token is not meant for this gateway ({oidc.audience})."
            ) from None
        except jwt.PyJWKClientConnectionError:
            raise Unavailable(
                f"The sign-in keys at {oidc.jwks_url} cannot be fetched, so no token can be "
                "checked now."
            ) from None
        except (jwt.PyJWKClientError, jwt.InvalidTokenError) as exc:
            raise Unauthenticated(f"The token is not valid: {str(exc).rstrip('.')}.") from None
        except (TypeError, ValueError, KeyError):  # the key's type is not the algorithm's
            raise Unauthenticated(
                "The token is not valid: its algorithm does not fit the key it names."
            ) from None
        return self._from_claims(claims)

    def _from_claims(self, claims: dict[str, Any]) -> Principal:
        oidc = self.oidc
        assert oidc is not None
        subject = _claim(claims, oidc.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated(f"The token has no subject claim '{oidc.subject_claim}'.")
        raw = _claim(claims, oidc.role_claim)
        names = raw if isinstance(raw, list) else [raw]
        roles = [Role(r) for r in names if r in Role.__members__.values() and r != Role.SYSTEM]
        if not roles:
            people = ", ".join(r.value for r in Role if r != Role.SYSTEM)
            raise NotAllowed(
                f"The token's claim '{oidc.role_claim}' names no role of this engine ({people})."
            )
        role = roles[0]
        district = _claim(claims, oidc.district_claim)
        credit_code = _claim(claims, oidc.credit_code_claim)
        if role in ORGANISATIONS and not isinstance(credit_code, str):
            raise NotAllowed(
                f"A {role.value}'s token must carry its credit code (claim "
                f"'{oidc.credit_code_claim}'): it acts as its organisation."
            )
        if role == Role.DISTRICT_OFFICER and not isinstance(district, str):
            raise NotAllowed(
                f"A district officer's token must carry the district (claim "
                f"'{oidc.district_claim}'; engine rule: district officers act only on their "
                "district's cases)."
            )
        return Principal(
            subject=subject,
            role=role,
            assurance="oidc",
            district=district if isinstance(district, str) else None,
            credit_code=credit_code if isinstance(credit_code, str) else None,
            scope=DEFAULT_SCOPE[role],
        )
