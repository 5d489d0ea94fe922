"""The lesson player: captions to read in the page, a poster and a big play button on
videos, a way back to "My lessons", and the first-try rule said in words."""

import re

from kit.packs.lessons import caption_lines

from .test_pages import sign_in

AUTHORED_VTT = """\ufeffWEBVTT - a title line

NOTE Each cue's identifier names the picture (an author's note, not for children).

swipe-1.svg
00:00.000 --> 00:02.800 align:start
<v Narrator>Put one finger</v>
on the screen.

STYLE
::cue { color: yellow }

2
00:02.800 --> 00:06.000
Slide it &amp; lift it &lt;gently&gt;.

00:06.000 --> 00:07.000

"""


def test_caption_lines_keep_only_what_is_said():
    assert caption_lines(AUTHORED_VTT.lstrip("\ufeff")) == [
        "Put one finger on the screen.",
        "Slide it & lift it <gently>.",
    ]
    assert caption_lines(AUTHORED_VTT.replace("\n", "\r\n")) == caption_lines(AUTHORED_VTT)
    assert caption_lines("WEBVTT\n") == []


def test_the_player_shows_captions_as_text_a_poster_and_a_way_back(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    html = client.get("/lesson/mini/01-count?step=0").get_data(as_text=True)
    captions = re.search(
        r'<details class="transcript"><summary>Read the captions</summary>(.*?)</details>', html, re.S
    )
    assert captions and captions.group(1) == "<p>One, two, three mangoes.</p>"
    assert not re.search(r'<a [^>]*href="[^"]*\.vtt"', html), "no link to the raw WebVTT file"
    assert re.search(r'<video [^>]*poster="/media/mini/1\.0\.0/lessons/01-count/count-poster\.jpg"', html)
    assert re.search(r'<button type="button" class="play" hidden>.*Play the video', html, re.S)
    assert re.search(
        r'<header class="bar">\s*<p class="brand"><a class="btn home" href="/lessons">My lessons</a>', html
    )
    quiz = client.get("/lesson/mini/01-count?step=2").get_data(as_text=True)
    assert "Only your first try at each question counts for the score." in quiz


def test_the_player_shows_the_narration_as_sentences_to_tap(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    html = client.get("/lesson/mini/01-count?step=0").get_data(as_text=True)
    box = re.search(r'<div class="readalong" data-audio="narration">(.*?)</div>', html, re.S).group(1)
    assert re.findall(r'<p class="cue" data-start="([\d.]+)" data-end="([\d.]+)">', box) == [
        ("0.0", "2.256"),
        ("2.656", "4.827"),
    ]
    assert '<button type="button" class="word" data-start="3.4" data-end="3.9">two,</button>' in box
    assert "Listen to sentence 2" in box and "Read what is said (transcript)" not in html
