"""Read-along timings: a WebVTT file with one cue per sentence of a narration.

The player highlights the sentence being read and plays a sentence when it is tapped;
an author marks a word inside a sentence with a WebVTT timestamp tag before it (and,
to end it early, after it): ``Tap <00:01.200>gently<00:01.700> with one finger.`` makes
"gently" a word of its own that plays from 1.2 s to 1.7 s (without the second tag, to
the end of the sentence). The same files time the
spoken quiz questions, whose cue identifiers name what each cue says (``prompt``, a
choice id).
"""

import html
import re
from dataclasses import dataclass

from ..errors import PackError

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_STAMP = r"(?:(\d{1,3}):)?(\d\d):(\d\d)\.(\d\d\d)"
TIMING = re.compile(rf"^{_STAMP}[ \t]+-->[ \t]+{_STAMP}(?:[ \t].*)?$")
INLINE_STAMP = re.compile(rf"<{_STAMP}>")
OTHER_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Part:
    """Some words of a cue; start/end are set when the author marked them as a word."""

    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Cue:
    ident: str
    start: float
    end: float
    parts: tuple

    @property
    def text(self):
        return "".join(part.text for part in self.parts)


def _seconds(groups):
    hours, minutes, secs, millis = groups
    return round(int(hours or 0) * 3600 + int(minutes) * 60 + int(secs) + int(millis) / 1000, 3)


def read_cues(vtt, where):
    """Return the Cues of a WebVTT text in order; PackError names the problem and the cue."""
    text = vtt.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("WEBVTT"):
        raise PackError(f"{where}: must be WebVTT (the file starts with WEBVTT)")
    cues = []
    for block in _BLANK_LINE.split(text)[1:]:
        rows = [row for row in block.strip().split("\n") if row.strip()]
        if not rows or rows[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        at = next((i for i, row in enumerate(rows) if "-->" in row), None)
        match = TIMING.match(rows[at].strip()) if at is not None and at <= 1 else None
        if match is None:
            raise PackError(f"{where}: cue {len(cues) + 1}: needs a timing line like 00:01.000 --> 00:02.500")
        start, end = _seconds(match.groups()[:4]), _seconds(match.groups()[4:])
        number = len(cues) + 1
        if end <= start:
            raise PackError(f"{where}: cue {number} ends before it starts")
        if cues and start < cues[-1].start:
            raise PackError(f"{where}: cue {number} starts before the cue above it")
        ident = rows[0].strip() if at == 1 else ""
        cues.append(Cue(ident, start, end, _parts(" ".join(rows[at + 1 :]), start, end, where, number)))
    return cues


def _parts(raw, start, end, where, number):
    """Split a cue's text at its timestamp tags: the words after a tag are a marked word."""
    raw = " ".join(raw.split())
    pieces = INLINE_STAMP.split(raw)
    # split() gives: text, then for each tag its 4 groups and the text after it.
    parts = [Part(_plain(pieces[0]))]
    marks = [_seconds(pieces[i : i + 4]) for i in range(1, len(pieces), 5)]
    texts = [pieces[i + 4] for i in range(1, len(pieces), 5)]
    for n, (mark, said) in enumerate(zip(marks, texts, strict=True)):
        if not start <= mark < end:
            raise PackError(f"{where}: cue {number}: the word timing <{mark:.3f}> is outside the cue")
        if n and mark < marks[n - 1]:
            raise PackError(f"{where}: cue {number}: word timings must go forward")
        following = marks[n + 1] if n + 1 < len(marks) else end
        word, rest = _first_words(_plain(said))
        if word:
            parts.append(Part(word, mark, following))
        if rest:
            parts.append(Part(rest))
    return tuple(part for part in parts if part.text)


def _first_words(said):
    """A tag marks the word right after it (up to a space or the next tag); a tag followed
    by a space marks nothing and only ends the word before it."""
    word = re.match(r"\S+", said)
    return (word.group(0), said[word.end() :]) if word else ("", said)


def _plain(text):
    return html.unescape(OTHER_TAG.sub("", text))
