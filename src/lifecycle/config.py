"""Settings from the environment, each with a working default (README: Configuration)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from lifecycle.errors import Invalid, Misconfigured

TASK_QUEUE = "lifecycle"
# The longest a deadline's firing may be spread after it falls due (LIFECYCLE_DEADLINE_SPREAD);
# the default at real speed: deadlines that fall at 24:00 are all applied by 00:30.
MAX_SPREAD = 6 * 3600
SPREAD = 1800


def _int(name: str, default: int, minimum: int = 1, maximum: int = 65535) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if not minimum <= value <= maximum:
        raise Misconfigured(
            f"{name} is '{raw}'; it must be a whole number from {minimum} to {maximum}."
        )
    return value


def _spread(day_seconds: int) -> int:
    """Seconds of real time over which the deadlines of many cases that fall due at one instant
    are applied (each case at its own share of it; the effects are dated when they fell due).
    By default half an hour at real speed, none on a faster business clock (a demo, a test),
    where half an hour is many business days."""
    return _int("LIFECYCLE_DEADLINE_SPREAD", SPREAD if day_seconds == 86400 else 0, 0, MAX_SPREAD)


def parse_date(name: str, raw: str) -> dt.date:
    """A calendar date written YYYY-MM-DD, or one sentence naming ``name`` and the value."""
    try:
        if len(raw) == 10:
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise Invalid(f"{name} is '{raw}'; it must be a calendar date written YYYY-MM-DD.")


def _date(name: str) -> dt.date | None:
    raw = os.environ.get(name, "").strip()
    try:
        return parse_date(name, raw) if raw else None
    except Invalid as exc:
        raise Misconfigured(str(exc)) from None


def var_dir() -> Path:
    """The system's folder (LIFECYCLE_VAR_DIR, default ``var`` in the working folder): its store,
    keys, Temporal's database, the bureau's packs and calendar, the command server's socket."""
    return Path(os.environ.get("LIFECYCLE_VAR_DIR", "var")).resolve()


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    temporal_address: str | None
    namespace: str
    tls_cert: Path | None
    tls_key: Path | None
    api_key: str | None
    temporal_port: int
    ui_port: int
    db_url: str
    day_seconds: int
    business_start: dt.date | None
    calendar_dir: Path
    act_timeout: int
    codec_keys: Path
    audit_keys: Path = Path("var/audit-keys.json")
    api_port: int = 8080
    api_url: str | None = None
    token: str | None = None
    case_cache: int = 1000
    deadline_spread: int = 0

    @classmethod
    def from_env(cls) -> Settings:
        folder = var_dir()
        cert, key = os.environ.get("TEMPORAL_TLS_CERT"), os.environ.get("TEMPORAL_TLS_KEY")
        day_seconds = _int("LIFECYCLE_DAY_SECONDS", 86400, maximum=86400)
        if bool(cert) != bool(key):
            raise Misconfigured("TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together.")
        return cls(
            var_dir=folder,
            temporal_address=os.environ.get("TEMPORAL_ADDRESS") or None,
            namespace=os.environ.get("TEMPORAL_NAMESPACE") or "default",
            tls_cert=Path(cert) if cert else None,
            tls_key=Path(key) if key else None,
            api_key=os.environ.get("TEMPORAL_API_KEY") or None,
            temporal_port=_int("LIFECYCLE_TEMPORAL_PORT", 7233),
            ui_port=_int("LIFECYCLE_UI_PORT", 8233),
            db_url=os.environ.get("LIFECYCLE_DB_URL") or f"sqlite:///{folder / 'lifecycle.db'}",
            day_seconds=day_seconds,
            business_start=_date("LIFECYCLE_BUSINESS_START"),
            act_timeout=_int("LIFECYCLE_ACT_TIMEOUT", 30, maximum=3600),
            calendar_dir=Path(
                os.environ.get("LIFECYCLE_CALENDAR_DIR") or folder / "calendar"
            ).resolve(),
            codec_keys=Path(
                os.environ.get("LIFECYCLE_CODEC_KEYS") or folder / "codec-keys.json"
            ).resolve(),
            audit_keys=Path(
                os.environ.get("LIFECYCLE_AUDIT_KEYS") or folder / "audit-keys.json"
            ).resolve(),
            api_port=_int("LIFECYCLE_API_PORT", 8080),
            api_url=(os.environ.get("LIFECYCLE_API_URL") or "").rstrip("/") or None,
            token=os.environ.get("LIFECYCLE_TOKEN") or None,
            case_cache=_int("LIFECYCLE_CASE_CACHE", 1000, maximum=100_000),
            deadline_spread=_spread(day_seconds),
        )

    @property
    def embedded(self) -> bool:
        return self.temporal_address is None

    @property
    def assurance_keys(self) -> Path:
        """The keys the gateway proves to the workers how a caller was known with (only the
        gateway's and the workers' machines need them; a person's command has none)."""
        path = os.environ.get("LIFECYCLE_ASSURANCE_KEYS") or self.var_dir / "assurance-keys.json"
        return Path(path).resolve()

    @property
    def address(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.temporal_port}"
