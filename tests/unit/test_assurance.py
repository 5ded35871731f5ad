"""How an actor was known is proven, not claimed (engine rule): a proof made with the gateway's
key holds for exactly what it signed; a claim without one, with another key's, or moved to
another case, actor or action is recorded as asserted; an old key still proves what it signed."""

import pytest

from lifecycle.contracts import ActRequest
from lifecycle.domain import assurance

CASE = "case:qingdao-2024:r1:91370212MA3QD0001N"


@pytest.fixture(autouse=True)
def no_keys_left(monkeypatch):
    """The process's keys as they were, after each test."""
    monkeypatch.setattr(assurance, "_keys", {})
    monkeypatch.setattr(assurance, "_current", None)
    monkeypatch.setattr(assurance, "_asserted_taken", True)


def request(**change) -> ActRequest:
    fields = {"action": "begin_review", "actor": "bureau_officer:li", "assurance": "oidc"}
    return ActRequest(request_id="r-1", **{**fields, **change})


def test_a_proof_holds_for_what_it_signed_only():
    assurance.install({"a1": bytes(32)}, "a1")
    signed = request()
    proof = assurance.sign(signed.proof_fields(CASE))
    assert assurance.proven("oidc", proof, signed.proof_fields(CASE)) == "oidc"
    assert assurance.proven("oidc", None, signed.proof_fields(CASE)) == "asserted"
    for moved in (request(actor="bureau_officer:wang"), request(action="publicise"),
                  request(reason="另加"), request(assurance="api-key")):  # fmt: skip
        assert assurance.proven(moved.assurance, proof, moved.proof_fields(CASE)) == "asserted"
    other = "case:qingdao-2024:r1:91370212MA3QD0002L"
    assert assurance.proven("oidc", proof, signed.proof_fields(other)) == "asserted"
    assurance.install({"a1": bytes(32), "a2": b"\x01" * 32}, "a2")  # rotated: a1 kept
    assert assurance.proven("oidc", proof, signed.proof_fields(CASE)) == "oidc"
    assurance.install({"a9": b"\x02" * 32}, "a9")  # a system with other keys
    assert assurance.proven("oidc", proof, signed.proof_fields(CASE)) == "asserted"


def test_a_named_actor_is_refused_where_the_workers_take_none():
    assurance.take_asserted(False)
    try:
        said = assurance.refusal("asserted", "bureau_officer:li")
        assert said and "send it through the gateway" in said and said.endswith("(engine rule).")
        assert assurance.refusal("oidc", "bureau_officer:li") is None
    finally:
        assurance.take_asserted(True)
    assert assurance.refusal("asserted", "bureau_officer:li") is None
