"""Lesson Markdown renders safely from many threads at once, from the first page on."""

import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import mdurl._decode, mdurl._encode
import kit.packs.markup
encode = mdurl._encode.encode_cache
decode = mdurl._decode.decode_cache
print(all(len(t) == 128 for t in encode.values()) and len(encode) > 0, len(decode) > 0)
"""


def test_importing_markup_fills_the_url_tables_a_first_render_would_race_for():
    # A fresh interpreter: the tables are per process and this one has rendered lessons already.
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["True", "True"]
