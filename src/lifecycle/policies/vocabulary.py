"""The words a pack is written in: the states a case passes through, the roles that act on it,
and the names of the guards a transition may carry (the domain implements each one)."""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    SUBMITTED = "submitted"  # 申报
    PRELIMINARY_REVIEW = "preliminary_review"  # 区市初审
    EXPERT_REVIEW = "expert_review"  # 专家评审
    PUBLICITY = "publicity"  # 公示
    LISTED = "listed"  # 入库 / 名录
    RECTIFICATION = "rectification"  # 限期整改
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXITED = "exited"  # 退出 / 清退 / 淘汰
    CLOSED = "closed"


TERMINAL_STATES = frozenset(
    {CaseState.REJECTED, CaseState.WITHDRAWN, CaseState.EXITED, CaseState.CLOSED}
)


class Role(StrEnum):
    BUREAU_OFFICER = "bureau_officer"  # 市级主管部门
    DISTRICT_OFFICER = "district_officer"  # 区/县初审
    EXPERT = "expert"  # 专家评审组
    PROVIDER = "provider"  # 服务机构
    ENTERPRISE = "enterprise"  # 服务对象企业
    PUBLIC = "public"  # 社会公众 (公示异议)
    SYSTEM = "system"  # other systems and the engine's own timers

    @property
    def a(self) -> str:
        """The role with its article, as a sentence names it ('an expert', 'a provider')."""
        return ("an " if self.value[0] in "aeiou" else "a ") + self.value


# The named guards a pack's transition may carry; lifecycle.domain.conditions holds what each
# asks (and is checked to hold exactly these).
GUARDS = (
    "actor_in_case_district",
    "findings_answered",
    "recommended_by_experts",
    "within_selection_limit",
    "deadline_passed",
    "no_open_objections",
    "has_open_objection",
)

# The decisions a case opens for an officer (the engine never takes them): an exit reason may
# wait for one of these to be open (``exit.reasons[].after_decision``).
DECISIONS = {
    "complaints": "verified complaints reaching the programme's count",
    "rectification_lapsed": "a rectification deadline passing unfixed",
    "exit_proposal": "a proposed clearance",
}
