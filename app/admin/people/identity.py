"""Identity numbers, mobile numbers and dates as people type them into a spreadsheet.

Plain functions, no Flask: each returns the cleaned value or raises ``ValueError`` with
a message for the admin.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

# GB 11643-1999: weights of the first 17 digits, and the check character for sum % 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"
ID_SHAPE = re.compile(r"\d{17}[\dX]")
MOBILE = re.compile(r"1[3-9]\d{9}")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def normalize(text: str) -> str:
    """Full-width digits and letters as ASCII, surrounding space (also U+3000) removed."""
    return unicodedata.normalize("NFKC", text).strip()


def check_character(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def clean_id_number(text: str, today: date) -> str:
    """An 18-character resident identity number with a valid date and check character."""
    number = normalize(text).upper().replace(" ", "")
    if len(number) == 15 and number.isdigit():
        raise ValueError("15 位旧身份证号不再使用，请填写 18 位身份证号")
    if not ID_SHAPE.fullmatch(number):
        raise ValueError("身份证号应为 18 位：17 位数字加 1 位数字或 X")
    try:
        born = birth_date_of(number)
    except ValueError:
        raise ValueError("身份证号中的出生日期无效") from None
    if born > today or born.year < 1900:
        raise ValueError("身份证号中的出生日期无效")
    if check_character(number[:17]) != number[17]:
        raise ValueError("身份证号校验位不正确，请核对是否抄错")
    return number


def birth_date_of(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def mask_id_number(number: str | None) -> str:
    """1101**********123X: enough to tell two people apart, not enough to misuse."""
    if not number:
        return ""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def clean_mobile(text: str) -> str:
    """An 11-digit mainland mobile number; spaces, hyphens and a +86 prefix are dropped."""
    number = re.sub(r"[\s-]", "", normalize(text))
    number = number.removeprefix("+86") if number.startswith("+86") else number
    if len(number) == 13 and number.startswith("86"):
        number = number[2:]
    if not MOBILE.fullmatch(number):
        raise ValueError("手机号应为 11 位中国大陆手机号，如 13800138000")
    return number


def parse_date(value: str | date, today: date) -> date:
    """A date written as 1985-03-07, 1985/3/7, 19850307 or 1985年3月7日 (or an Excel date)."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = normalize(value)
        for pattern in DATE_FORMATS:
            try:
                value = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError("出生日期格式无法识别，请写成 1985-03-07")
    if value > today or value.year < 1900:
        raise ValueError("出生日期不在合理范围内")
    return value


def login_name(person: object) -> str:
    """A username as admins see it: masked when it is the person's identity number."""
    username, id_number = person.username, person.id_number
    return mask_id_number(username) if username == id_number else username
