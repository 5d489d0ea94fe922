"""A note from the remote teacher read aloud on the tablet, for learners who read little.

The kit's heard text is recorded audio: a pack's narration and spoken questions are clips
(made by tools/make_media with espeak-ng, or a person's voice) that the speaker button
plays. A note is typed at the hub and nobody recorded it, so the kit makes its clip here
with the same espeak-ng voices tools/make_media uses, the first time a learner asks, and
keeps it (DATA/notes-aloud/, one WAV per note and language: 44 KB a second of speech, so
about 300 KB for a note of a hundred characters). Measured on the 2-core Xeon @ 2.80GHz
the tests run on: the longest note (500 characters, 42 s of speech, 1.9 MB) took
0.38-0.55 s to make. Without espeak-ng, or in a language it has no voice for (Wolof), a
note has no speaker button: it is only read. A note the local teacher undoes loses its
clips (:func:`forget`): nothing of it stays on the kit to be heard.
"""

import logging
import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from .errors import KitError

logger = logging.getLogger(__name__)

# The page's language → espeak-ng voice: tools/make_media's, and Bangla, which espeak-ng has.
VOICES = {"en": "en-gb", "fr": "fr-fr", "sw": "sw", "bn": "bn"}
WORDS_PER_MINUTE = "135"  # as tools/make_media: slower than espeak's 175 for beginners
TIMEOUT_S = 30  # the longest note took 0.55 s on the Xeon above: room for a slow Raspberry Pi


class CannotSay(KitError):
    status = 503
    code = "cannot_say"


@lru_cache(maxsize=1)
def _espeak():
    return shutil.which("espeak-ng")


def voice_for(lang):
    """The espeak-ng voice for a page language, or None when a note cannot be heard here."""
    return VOICES.get(str(lang).split("_")[0]) if _espeak() else None


def clip(data_dir, change_id, text, lang):
    """Return the WAV file of a note read aloud in `lang`, making it on first use."""
    voice = voice_for(lang)
    if voice is None:
        raise CannotSay("notes cannot be read aloud on this kit in this language")
    folder = Path(data_dir) / "notes-aloud"
    target = folder / f"{change_id}-{voice}.wav"
    if target.exists():
        return target
    folder.mkdir(mode=0o700, exist_ok=True)
    # Two tablets asking at once each write their own file; the last rename wins, both whole.
    fd, part = tempfile.mkstemp(prefix=".", suffix=".wav", dir=folder)
    os.close(fd)
    try:
        done = subprocess.run(
            [_espeak(), "-v", voice, "-s", WORDS_PER_MINUTE, "-w", part, "--stdin"],
            input=text,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
        )
        if done.returncode != 0 or os.path.getsize(part) == 0:
            logger.warning("espeak-ng could not read note %s: %s", change_id, done.stderr.strip()[-300:])
            raise CannotSay("the kit could not read this note aloud")
        os.replace(part, target)
    except subprocess.TimeoutExpired:
        logger.warning("espeak-ng took over %s s on note %s", TIMEOUT_S, change_id)
        raise CannotSay("the kit could not read this note aloud") from None
    finally:
        if os.path.exists(part):
            os.unlink(part)
    return target


def forget(data_dir, change_id):
    """Delete every clip made of a note (one per voice); return how many were deleted.

    A change id is a checked UUID (sync.changes_format), so it globs nothing but its own
    files. A missing file is not an error: most notes are never heard, and two undos may race.
    """
    gone = 0
    for path in (Path(data_dir) / "notes-aloud").glob(f"{change_id}-*.wav"):
        try:
            path.unlink()
            gone += 1
        except FileNotFoundError:
            pass
    if gone:
        logger.info("deleted %s clip(s) of note %s", gone, change_id)
    return gone
