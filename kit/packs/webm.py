"""Read what a WebM file says about itself: its video codec, picture size and duration.

Sign-language videos are checked when a pack is built and imported (codec, size,
duration), and the kit must do that on a Raspberry Pi without ffprobe. WebM is EBML
(Matroska): a tree of elements, each an id, a length and a body; the segment's Info and
Tracks come before the first Cluster of frames, so only the head of the file is read.
"""

import struct
from dataclasses import dataclass

from ..errors import PackError

EBML_HEADER = 0x1A45DFA3
DOC_TYPE = 0x4282
SEGMENT = 0x18538067
INFO = 0x1549A966
TIMECODE_SCALE = 0x2AD7B1
DURATION = 0x4489
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_TYPE = 0x83
CODEC_ID = 0x86
VIDEO = 0xE0
PIXEL_WIDTH = 0xB0
PIXEL_HEIGHT = 0xBA
CLUSTER = 0x1F43B675
HEAD_BYTES = 256 * 1024  # Info and Tracks sit in the first few KB of a muxer's output
VIDEO_TRACK = 1


@dataclass(frozen=True)
class WebmInfo:
    codec: str  # "V_VP8", "V_VP9", ...
    width: int
    height: int
    seconds: float


def _vint(data, pos, keep_marker):
    """Read an EBML variable-length integer at pos; return (value, next pos, all ones)."""
    if pos >= len(data):
        raise ValueError("the file ends inside an element")
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or pos + length > len(data):
        raise ValueError("a malformed element length")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def _elements(data, start, end):
    """Yield (id, body start, body end) for each element between start and end."""
    pos = start
    while pos < end:
        element_id, pos, _ = _vint(data, pos, keep_marker=True)
        size, pos, unknown = _vint(data, pos, keep_marker=False)
        body_end = end if unknown else min(pos + size, end)
        yield element_id, pos, body_end
        if element_id == CLUSTER:
            return  # frames from here on: everything we need came before
        pos = body_end


def _uint(data, start, end):
    return int.from_bytes(data[start:end], "big") if end > start else 0


def _float(data, start, end):
    if end - start == 4:
        return struct.unpack(">f", data[start:end])[0]
    if end - start == 8:
        return struct.unpack(">d", data[start:end])[0]
    raise ValueError("a malformed duration")


def parse_head(data):
    """Return WebmInfo from the head of a WebM file; ValueError says what is wrong."""
    kinds = dict((i, (s, e)) for i, s, e in _elements(data, 0, len(data)))
    if EBML_HEADER not in kinds or SEGMENT not in kinds:
        raise ValueError("not a WebM file")
    header = {i: data[s:e] for i, s, e in _elements(data, *kinds[EBML_HEADER])}
    if header.get(DOC_TYPE, b"").rstrip(b"\0") != b"webm":
        raise ValueError("not a WebM file (a Matroska file of another kind)")
    scale, duration, video = 1_000_000, None, None
    for element_id, start, end in _elements(data, *kinds[SEGMENT]):
        if element_id == INFO:
            for sub, s, e in _elements(data, start, end):
                if sub == TIMECODE_SCALE:
                    scale = _uint(data, s, e)
                elif sub == DURATION:
                    duration = _float(data, s, e)
        elif element_id == TRACKS:
            video = video or _video_track(data, start, end)
    if video is None:
        raise ValueError("it has no video track")
    if duration is None:
        raise ValueError("its duration is not recorded (re-encode it with tools/prepare_sign)")
    return WebmInfo(video[0], video[1], video[2], duration * scale / 1e9)


def _video_track(data, start, end):
    """Return (codec, width, height) of the first video track among Tracks, or None."""
    for element_id, s, e in _elements(data, start, end):
        if element_id != TRACK_ENTRY:
            continue
        fields = {i: (a, b) for i, a, b in _elements(data, s, e)}
        if TRACK_TYPE not in fields or _uint(data, *fields[TRACK_TYPE]) != VIDEO_TRACK:
            continue
        codec = data[slice(*fields[CODEC_ID])].decode("ascii", "replace") if CODEC_ID in fields else ""
        picture = {i: _uint(data, a, b) for i, a, b in _elements(data, *fields.get(VIDEO, (0, 0)))}
        return codec, picture.get(PIXEL_WIDTH, 0), picture.get(PIXEL_HEIGHT, 0)
    return None


@dataclass(frozen=True)
class SignLimits:
    """What a tablet plays well: VP8 or VP9, small pictures, short clips."""

    max_side: int
    max_seconds: float
    max_bytes: int
    codecs: tuple = ("V_VP8", "V_VP9")


PAGE_SIGN = SignLimits(max_side=640, max_seconds=90.0, max_bytes=5 * 1024 * 1024)
WORD_SIGN = SignLimits(max_side=640, max_seconds=10.0, max_bytes=768 * 1024)


def check_sign_video(path, rel, limits):
    """Refuse a sign-language video a tablet would play badly; PackError names the file."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise PackError(
            f"{rel}: a sign video may be at most {limits.max_bytes // 1024} KB, this one is"
            f" {size // 1024} KB (encode it with tools/prepare_sign)"
        )
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    try:
        info = parse_head(head)
    except ValueError as exc:
        raise PackError(f"{rel}: sign video: {exc}") from None
    if info.codec not in limits.codecs:
        raise PackError(f"{rel}: a sign video must be VP8 or VP9 WebM, this one is {info.codec or 'unknown'}")
    if not 0 < info.width <= limits.max_side or not 0 < info.height <= limits.max_side:
        raise PackError(
            f"{rel}: a sign video may be at most {limits.max_side} pixels a side,"
            f" this one is {info.width}x{info.height}"
        )
    if info.seconds > limits.max_seconds:
        raise PackError(
            f"{rel}: a sign video may last at most {limits.max_seconds:g} s, this one lasts {info.seconds:.1f} s"
        )
    return info
