/* Read-along and spoken questions on the lesson page, and notes from the teacher read aloud on
   My lessons. Plain ES5 (Chrome 70). Loaded only by a page with narration cues, a question
   with its spoken clip, or a note the kit can read; needs learn.js (kitLearn). Without it
   the lesson's audio keeps its own controls, and a note is read, not heard. */
(function () {
  "use strict";
  var kit = window.kitLearn;
  if (!kit || !kit.closest || !document.querySelector("[data-audio]")) { return; }
  var closest = kit.closest, playSafe = kit.playSafe;

  /* Read-along and spoken questions: a button with data-start/data-end plays that part of
     its box's audio (data-audio names it), then stops; the sentence being read is lit. */
  var clip = { audio: null, end: 0 }, ticker = null;
  function audioOf(el) {
    var box = closest(el, "[data-audio]");
    return box ? document.getElementById(box.getAttribute("data-audio")) : null;
  }
  function playClip(audio, start, end) {
    clip.audio = audio; clip.end = end;
    function go() { audio.currentTime = start; playSafe(audio); }
    if (audio.readyState >= 1) { go(); return; }
    audio.addEventListener("loadedmetadata", function once() { audio.removeEventListener("loadedmetadata", once); go(); });
    audio.preload = "auto";
    audio.load();
  }
  function tick(audio) {
    if (clip.audio === audio && audio.currentTime >= clip.end) { audio.pause(); clip.audio = null; }
    var lines = document.querySelectorAll("[data-audio='" + audio.id + "'] .cue"), i, t = audio.currentTime, on;
    for (i = 0; i < lines.length; i++) {
      on = (!audio.paused || t > 0) && t >= +lines[i].getAttribute("data-start") && t < +lines[i].getAttribute("data-end");
      if (on !== (lines[i].className.indexOf(" now") >= 0)) { lines[i].className = on ? "cue now" : "cue"; }
    }
  }
  function onMedia(ev) {
    var audio = ev.target;
    if (!audio.id || audio.tagName !== "AUDIO") { return; }
    if (ev.type === "play") { clearInterval(ticker); ticker = setInterval(function () { tick(audio); }, 50); }
    if (ev.type === "pause" || ev.type === "ended") { clearInterval(ticker); ticker = null; }
    tick(audio);
  }
  var mediaEvents = ["play", "pause", "ended", "timeupdate", "seeked"], m;
  for (m = 0; m < mediaEvents.length; m++) { document.addEventListener(mediaEvents[m], onMedia, true); }
  function clipClick(target) {
    var button = closest(target, "button[data-start]"), line = closest(target, ".readalong .cue"), from = button || line, audio;
    if (!from) { return false; }
    audio = audioOf(from);
    if (!audio) { return false; }
    /* No data-end (a note read aloud): the whole clip. */
    playClip(audio, +from.getAttribute("data-start"), from.hasAttribute("data-end") ? +from.getAttribute("data-end") : Infinity);
    return true;
  }


  document.addEventListener("click", function (ev) { clipClick(ev.target); });

  (function () {
    var buttons = document.querySelectorAll("button.say[hidden]"), i;
    for (i = 0; i < buttons.length; i++) { buttons[i].hidden = false; }
  }());
}());
