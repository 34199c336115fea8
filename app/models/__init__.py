"""The database models, split by aggregate."""

from app.models.audit import AuditEntry
from app.models.bank import Bank, BankVersion, BankVersionItem, QuestionRevision
from app.models.people import Role, Unit, User

__all__ = [
    "AuditEntry",
    "Bank",
    "BankVersion",
    "BankVersionItem",
    "QuestionRevision",
    "Role",
    "Unit",
    "User",
]
