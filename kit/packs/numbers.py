"""Numeric answers as exact decimals: the kit and the tablet must agree to the last digit.

A pack author writes `answer: 0.3` and `tolerance: 0.1` and means 0.2 to 0.4. In binary
floating point 0.4 - 0.3 is 0.10000000000000003, so a float judge calls 0.4 wrong; and
the tablet, judging while the kit is away (offline_check.py), cannot repeat a float
computation whose inputs it must not see. So both sides work in decimals: the pack's
numbers as the author wrote them (a float's shortest repr), the child's as typed.
"""

from decimal import ROUND_FLOOR, Decimal, InvalidOperation, localcontext

# Enough digits for a pack number's sum or difference to be exact (a float's repr has at
# most 17 significant digits and exponents within ±324).
_EXACT_DIGITS = 700


def pack_number(value):
    """A pack's int or float as the decimal its author wrote (0.1 is 0.1, not 0.1000000000000000055…)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def typed_number(response):
    """What a learner typed as an exact decimal ("2,5" is 2.5); None when it is not a number."""
    try:
        return Decimal(str(response).replace(",", ".").strip())
    except InvalidOperation:
        return None


def bounds(answer, tolerance):
    """Return (lowest, highest) right answer, both exact."""
    middle, spread = pack_number(answer), pack_number(tolerance)
    with localcontext() as ctx:
        ctx.prec = _EXACT_DIGITS
        return middle - spread, middle + spread


def within(value, answer, tolerance):
    """True when the exact decimal `value` is answer ± tolerance, both ends included."""
    if not value.is_finite():
        return False
    low, high = bounds(answer, tolerance)
    return low <= value <= high  # comparisons of Decimals are exact at any precision


def decimal_places(value):
    """How many digits after the point the decimal needs (negative for 1E+3: none, and 3 zeros spare)."""
    return -value.as_tuple().exponent


def cell(value, places):
    """Which cell of width 10^-places holds `value` (floor(value × 10^places)), exactly."""
    with localcontext() as ctx:
        ctx.prec = _EXACT_DIGITS
        return int(value.scaleb(places).to_integral_value(rounding=ROUND_FLOOR))


def cell_start(k, places):
    with localcontext() as ctx:
        ctx.prec = _EXACT_DIGITS
        return Decimal(k).scaleb(-places)
