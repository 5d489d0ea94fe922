"""Certificate codes: short, read aloud and typed by people, hard to guess.

Eleven random characters and one check character, from an alphabet with no 0/O, 1/I/L
or U (so no letter is misread as another and no word is spelled by accident), written
as three groups of four: ``K7QM-3XPD-9TRR``. 30**11 is about 1.8e16 codes, so guessing one
that exists is hopeless at the verify pages' rate limit; the check character lets a page
say "this code has a typo" without looking anything up.
"""

import re
import secrets

from ..errors import KitError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_SEPARATORS = re.compile(r"[\s\-–—_.]+")


class BadCode(KitError):
    status = 400
    code = "bad_certificate_code"


def _check_char(body):
    total = sum((index + 1) * ALPHABET.index(ch) for index, ch in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def new_code():
    """Return a fresh random code, grouped for reading."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH - 1))
    return grouped(body + _check_char(body))


def grouped(code):
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(text):
    """Return the code as stored (grouped, upper case), or raise BadCode saying what is wrong."""
    if not isinstance(text, str) or len(text) > 40:
        raise BadCode("a certificate code has 12 letters and digits, like K7QM-3XPD-9TRR")
    bare = _SEPARATORS.sub("", text).upper()
    wrong = sorted({ch for ch in bare if ch not in ALPHABET})
    if len(bare) != LENGTH or wrong:
        detail = f" ({', '.join(wrong)} never appear in a code)" if wrong else ""
        raise BadCode(f"a certificate code has 12 letters and digits, like K7QM-3XPD-9TRR{detail}")
    if _check_char(bare[:-1]) != bare[-1]:
        raise BadCode("this code has a typo: check each character against the certificate")
    return grouped(bare)
