"""Render lesson Markdown with raw HTML off and every link and image kept inside the pack.

Lessons are parsed twice: once with HTML recognised, only to refuse a lesson that holds
any (the author would otherwise see their markup turn into text on tablets), and once
with HTML off to render.
"""

import posixpath
import re

from markdown_it import MarkdownIt

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
SIGN_LINK = "sign:"  # [tapping](sign:tap): the word opens the pack's sign clip for "tap"


def _parser(html):
    return MarkdownIt("commonmark", {"html": html}).enable("table")


_DETECT = _parser(html=True)
_DETECT.validateLink = lambda url: True  # see every link, even those the renderer would drop
_RENDER = _parser(html=False)
# mdurl (under markdown-it) fills its percent-encoding tables on first use, registering
# each table before filling it: a second thread rendering a link at that moment reads a
# half-filled table and fails (IndexError, a 500 on the first lesson pages a class opens
# at once; seen under bench/run live). One render here fills them before any thread can.
_RENDER.render("[a](b) ![c](d) <e@f.g>")


def _walk(tokens):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _resolve(base_dir, target):
    """Return the pack-relative path a lesson link points to, or None if it leaves the pack."""
    target = target.split("#", 1)[0].split("?", 1)[0]
    if not target:
        return ""
    if target.startswith("/") or "\\" in target:
        return None
    path = posixpath.normpath(posixpath.join(base_dir, target))
    if path == ".." or path.startswith("../"):
        return None
    return path


def sign_word(target):
    """Return the dictionary word a `sign:` link names (folded), or None for another link."""
    return target[len(SIGN_LINK) :].casefold() if target.startswith(SIGN_LINK) else None


def check_page(text, base_dir, files, signs=None):
    """Return the problems of one lesson's Markdown: raw HTML, links or images out of the pack,
    sign links to words the pack's sign dictionary does not hold."""
    problems = []
    for token in _walk(_DETECT.parse(text)):
        if token.type in ("html_block", "html_inline"):
            line = f"line {token.map[0] + 1}: " if token.map else ""
            problems.append(f"{line}raw HTML is not allowed ({token.content.strip()[:40]!r})")
        if token.type not in ("link_open", "image"):
            continue
        target = token.attrGet("src" if token.type == "image" else "href") or ""
        what = "image" if token.type == "image" else "link"
        word = sign_word(target) if token.type == "link_open" else None
        if word is not None:
            if word not in (signs or {}):
                problems.append(
                    f"link {target!r}: the pack's sign dictionary (pack.yaml `signs`) has no {word!r}"
                )
            continue
        if _SCHEME.match(target) or target.startswith("//"):
            problems.append(f"{what} {target!r} points outside the pack")
            continue
        path = _resolve(base_dir, target)
        if path is None:
            problems.append(f"{what} {target!r} points outside the pack")
        elif path and path not in files:
            problems.append(f"{what} {target!r} names a file that is not in the pack")
        if token.type == "image" and not token.content.strip():
            problems.append(f"image {target!r} has no alt text (write ![what it shows]({target}))")
    return problems


def render_page(text, base_dir, url_for_file, signs=None):
    """Render one page to HTML, turning pack-relative links into media URLs and sign links
    into links to their clip (which the player opens in place)."""
    tokens = _RENDER.parse(text)
    for token in _walk(tokens):
        if token.type == "image":
            token.attrSet("src", url_for_file(_resolve(base_dir, token.attrGet("src"))))
            token.attrSet("loading", "lazy")
        elif token.type == "link_open":
            href = token.attrGet("href") or ""
            word = sign_word(href)
            if word is not None and word in (signs or {}):
                token.attrSet("href", url_for_file(signs[word]))
                token.attrSet("class", "sign-word")
                token.attrSet("data-sign", word)
            elif not href.startswith("#"):
                token.attrSet("href", url_for_file(_resolve(base_dir, href)))
    return _RENDER.renderer.render(tokens, _RENDER.options, {})
