"""Certification rules (DESIGN.md section 5): what a certificate type asks and grants.

Plain frozen data and pure functions: the web layer reads the rules file once with
``certificates.rules_format.parse_rules`` and asks these objects what a score earns, when
a certificate expires, when a candidate may try again and whether prerequisites are held.
Scores are ``Decimal`` throughout, never float, so a band edge such as 90 is exact.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Level:
    """A named score band: a passing score at or above ``min_score`` earns ``name``."""

    name: str
    min_score: Decimal


@dataclass(frozen=True)
class Validity:
    """How long a certificate stays valid, in whole months (a year is twelve)."""

    months: int

    def expiry_for(self, issued_on: date) -> date:
        """The last day of validity: the day before the same date ``months`` later.

        Issued 2026-06-01 for three years → valid through 2029-05-31. When the anniversary
        does not exist (issued 29 February, or the 31st of a long month) it falls on the
        first of the next month, so the certificate is valid through the month's last day.
        """
        total = issued_on.year * 12 + issued_on.month - 1 + self.months
        year, month = divmod(total, 12)
        month += 1
        if issued_on.day > calendar.monthrange(year, month)[1]:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            anniversary = date(year, month, 1)
        else:
            anniversary = date(year, month, issued_on.day)
        return anniversary - timedelta(days=1)

    def describe(self) -> str:
        years, months = divmod(self.months, 12)
        return f"{years} 年" if not months else f"{self.months} 个月"


@dataclass(frozen=True)
class RetakeWait:
    """Why a candidate may not start an attempt now, and from when they may."""

    at: datetime
    reason: str

    def message(self, zone: tzinfo = DISPLAY_ZONE) -> str:
        local = self.at.astimezone(zone)
        return f"{self.reason}；下次可于 {local:%Y年%m月%d日 %H:%M} 之后参加"


@dataclass(frozen=True)
class RetakePolicy:
    """At most ``attempts_per_period`` attempts in any sliding ``period``, and at least
    ``wait`` between the start of one attempt and the next."""

    attempts_per_period: int
    period: timedelta
    wait: timedelta

    def next_attempt_allowed(
        self, previous_attempt_times: Iterable[datetime], now: datetime
    ) -> RetakeWait | None:
        """None when an attempt may start at ``now``; else the earliest time and why not.

        ``previous_attempt_times`` are the start times of the candidate's earlier attempts
        at the exams of this certificate type (timezone-aware, any order).
        """
        _require_aware(now)
        times = sorted(previous_attempt_times)
        for moment in times:
            _require_aware(moment)
        waits: list[RetakeWait] = []
        if times and now < times[-1] + self.wait:
            waits.append(
                RetakeWait(times[-1] + self.wait, f"两次测试之间须间隔 {_hours(self.wait)}")
            )
        recent = [t for t in times if t > now - self.period]
        if len(recent) >= self.attempts_per_period:
            # The attempt that must leave the window before one more fits in it.
            leaving = recent[len(recent) - self.attempts_per_period]
            waits.append(
                RetakeWait(
                    leaving + self.period,
                    f"{_days(self.period)}内最多测试 {self.attempts_per_period} 次，已达上限",
                )
            )
        return max(waits, key=lambda w: w.at) if waits else None


@dataclass(frozen=True)
class HeldCertificate:
    """A certificate a candidate holds, as far as prerequisites care."""

    type_id: str
    issued_on: date
    expires_on: date
    revoked: bool = False

    def valid_on(self, day: date) -> bool:
        return not self.revoked and self.issued_on <= day <= self.expires_on


@dataclass(frozen=True)
class CertificateType:
    """One kind of certificate: the exams it rests on and what it grants."""

    id: str
    title: str
    number_prefix: str
    exams: tuple[str, ...]
    pass_mark: Decimal
    validity: Validity
    retake: RetakePolicy
    levels: tuple[Level, ...] = ()  # highest band first
    prerequisites: tuple[str, ...] = ()
    names_position: bool = False

    def passed(self, score: Decimal) -> bool:
        return _exact(score) >= self.pass_mark

    def level_for(self, score: Decimal) -> str | None:
        """The level a score earns; None for a fail, or for a type without levels."""
        if not self.passed(score):
            return None
        score = _exact(score)
        return next((level.name for level in self.levels if score >= level.min_score), None)

    def expiry_for(self, issued_on: date) -> date:
        return self.validity.expiry_for(issued_on)

    def next_attempt_allowed(
        self, previous_attempt_times: Iterable[datetime], now: datetime
    ) -> RetakeWait | None:
        return self.retake.next_attempt_allowed(previous_attempt_times, now)

    def missing_prerequisites(self, held: Iterable[HeldCertificate], on: date) -> tuple[str, ...]:
        """Prerequisite type ids with no certificate valid (held, unexpired, unrevoked) on ``on``."""
        valid = {c.type_id for c in held if c.valid_on(on)}
        return tuple(p for p in self.prerequisites if p not in valid)

    def prerequisites_met(self, held: Iterable[HeldCertificate], on: date) -> bool:
        return not self.missing_prerequisites(held, on)


@dataclass(frozen=True)
class CertificationRules:
    """A whole rules file; ``version`` and ``digest`` are recorded on every certificate."""

    version: str
    issuer: str
    types: tuple[CertificateType, ...]
    digest: str = ""

    def type(self, type_id: str) -> CertificateType:
        for certificate_type in self.types:
            if certificate_type.id == type_id:
                return certificate_type
        raise KeyError(type_id)

    def types_for_exam(self, exam_code: str) -> tuple[CertificateType, ...]:
        """The certificate types a pass in this exam can earn."""
        return tuple(t for t in self.types if exam_code in t.exams)


def _exact(score: Decimal | int) -> Decimal:
    if isinstance(score, float):
        raise TypeError("scores must be Decimal or int, never float")
    return Decimal(score)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("attempt times must be timezone-aware")


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} 小时"


def _days(span: timedelta) -> str:
    return f"{span.total_seconds() / 86400:g} 天"
