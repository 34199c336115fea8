"""The database models, split by aggregate."""

from app.models.attempt import AccessCodeFailure, Attempt, AttemptItem, AttemptStartLock, FocusEvent
from app.models.audit import AuditEntry
from app.models.bank import Bank, BankVersion, BankVersionItem, QuestionRevision
from app.models.bank_upload import BankUpload
from app.models.certificate import Certificate, CertificateSequence, RateCounter
from app.models.exam import Exam, Sitting, SittingCandidate, SittingGrant, SittingUnit
from app.models.jobs import JobFailure
from app.models.people import Role, Unit, User
from app.models.practice import NotebookEntry, PracticeItem, PracticeRun
from app.models.prepared import PreparedPaper
from app.models.throttle import LoginThrottle

__all__ = [
    "AccessCodeFailure",
    "Attempt",
    "AttemptItem",
    "AttemptStartLock",
    "AuditEntry",
    "Bank",
    "BankUpload",
    "BankVersion",
    "BankVersionItem",
    "Certificate",
    "CertificateSequence",
    "Exam",
    "FocusEvent",
    "JobFailure",
    "LoginThrottle",
    "NotebookEntry",
    "PracticeItem",
    "PracticeRun",
    "PreparedPaper",
    "QuestionRevision",
    "RateCounter",
    "Role",
    "Sitting",
    "SittingCandidate",
    "SittingGrant",
    "SittingUnit",
    "Unit",
    "User",
]
