"""What a new password may not be: the one it replaces, a common one, or one that is
mostly the person's username or name.

Common passwords come from zxcvbn's list of the 30,000 most frequent passwords in
leaked sets (pinned package, MIT licence), which includes the usual Chinese choices
such as ``5201314`` and ``qq123456``; it is read once, on the first password change.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

NON_WORD = re.compile(r"[\W_]+")


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _folded(text: str) -> str:
    return NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def _stripped(password: str) -> str:
    """The password without trailing digits and symbols: `password2026!` is `password`."""
    return re.sub(r"[\d\W_]+$", "", _folded(password))


def password_problem(new: str, current: str, username: str, name: str) -> str | None:
    """Why ``new`` is refused, in words for the user; None when it is acceptable."""
    if new == current:
        return "新密码不能与当前密码（包括管理员给的初始密码）相同"
    folded = _folded(new)
    if folded in common_passwords() or _stripped(new) in common_passwords():
        return "这个密码太常见，很容易被猜中，请换一个"
    if len(set(folded)) < 4:
        return "新密码重复字符太多，很容易被猜中，请换一个"
    for own in (_folded(username), _folded(name)):
        meaningful = len(own) >= 3 or not own.isascii()
        if meaningful and (own in folded or (len(folded) >= 4 and folded in own)):
            return "新密码不能包含用户名或姓名"
    return None
