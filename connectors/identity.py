"""One person, one customer: normalised identities and the keys they map to.

E-mails are lower-cased and trimmed, phone numbers become E.164 (``phonenumbers``, with the warehouse's
default region for national numbers), account ids are trimmed. A contact with several identities (an
account id and an e-mail, say) links them: later contacts that carry only one of them get the same
customer key. Keys never merge once given; a conflict keeps the key of the strongest identity
(account > e-mail > phone).
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import phonenumbers

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DIGITS = re.compile(r"\d")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def normal_email(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip().lower()
    if v.startswith("mailto:"):
        v = v[7:]
    return v if EMAIL.match(v) else None


@lru_cache(maxsize=200_000)
def normal_phone(value: str, region: str = "DE") -> str | None:
    v = value.strip()
    if v.lower().startswith("tel:"):
        v = v[4:]
    if E164.match(v):
        return v  # already E.164 (telephony platforms write it): skip the slow parser
    if len(DIGITS.findall(v)) < 6:
        return None  # extensions, "anonymous", client names
    try:
        number = phonenumbers.parse(v, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(DIGITS.findall(v))
    return "+" + digits if v.startswith("+") else None


def normal_account(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip()
    return v or None


def identities(email: object, phone: object, account: object, region: str) -> list[str]:
    """The identities of one record, strongest first."""
    out = []
    acc = normal_account(account)
    if acc:
        out.append("account:" + acc)
    mail = normal_email(email)
    if mail:
        out.append("email:" + mail)
    if isinstance(phone, str) and phone.strip():
        tel = normal_phone(phone, region)
        if tel:
            out.append("phone:" + tel)
    return out


def new_key(identity: str) -> str:
    return "c" + hashlib.sha1(identity.encode("utf-8")).hexdigest()[:15]


def assign(
    rows: list[list[str]], known: dict[str, str]
) -> tuple[list[str | None], dict[str, str]]:
    """Give each row a customer key; return the keys and the identities that are new.

    ``known`` maps identities already in the warehouse to their keys; it is extended in place so rows of
    the same file link to each other.
    """
    keys: list[str | None] = []
    added: dict[str, str] = {}
    for ids in rows:
        if not ids:
            keys.append(None)
            continue
        key = next((known[i] for i in ids if i in known), None) or new_key(ids[0])
        for i in ids:
            if i not in known:
                known[i] = key
                added[i] = key
        keys.append(key)
    return keys, added
