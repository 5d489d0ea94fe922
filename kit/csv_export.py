"""Every CSV the kit and the hub write for people goes through here: safe to open in a spreadsheet.

The OWASP CSV-injection rule: a text cell starting with =, +, -, @, a tab or a carriage
return is read as a formula (or hides one) by Excel, LibreOffice and Google Sheets, so it
is written with a leading single quote, which they show as text. Numbers stay numbers,
and an empty cell stays empty.
"""

import csv
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return `value` as a spreadsheet will read it as plain data."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows):
    """Return rows (dicts) as CSV text, the header from the first row's keys."""
    out = io.StringIO()
    if rows:
        names = list(rows[0])
        writer = csv.writer(out)
        writer.writerow([safe_cell(str(name)) for name in names])
        writer.writerows([safe_cell(row.get(name)) for name in names] for row in rows)
    return out.getvalue()
