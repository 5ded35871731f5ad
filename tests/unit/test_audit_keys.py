"""The audit key file: a broken one is named by its own setting, in one sentence."""

import pytest

from lifecycle.app.system import audit_keys
from lifecycle.config import Settings
from lifecycle.errors import Misconfigured


def test_a_broken_audit_key_file_is_named_by_its_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_VAR_DIR", str(tmp_path))
    settings = Settings.from_env()
    assert audit_keys(settings) is None  # none yet: the worker makes it
    made = audit_keys(settings, make=True)
    assert made is not None and (tmp_path / "audit-keys.json").stat().st_mode & 0o777 == 0o600
    (tmp_path / "audit-keys.json").write_text("{bad", encoding="utf-8")
    with pytest.raises(Misconfigured, match=r"^LIFECYCLE_AUDIT_KEYS file .* is not a key file"):
        audit_keys(settings)
