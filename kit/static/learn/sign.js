/* Sign language on the lesson page: the sign video of each page ("sign language first"
   starts the shown page's clip), its again/slow/repeat buttons, and the sign dictionary
   opened from a signed word. Plain ES5 (Chrome 70). Loaded by the lesson page only when the
   lesson (ordinary or live) has a sign clip or a signed word; needs learn.js (kitLearn). */
(function () {
  "use strict";
  var kit = window.kitLearn, main = document.querySelector("main.player");
  if (!kit || !kit.closest || !main) { return; }
  var closest = kit.closest, playSafe = kit.playSafe;

  /* "Sign language first": the shown page's sign video starts by itself (muted, so the
     browser allows it); the others stop. Each clip is fetched only when its page shows. */
  function startSign(target) {
    var videos = document.querySelectorAll("figure.sign video"), i, own;
    for (i = 0; i < videos.length; i++) { if (!videos[i].paused && !target.contains(videos[i])) { videos[i].pause(); } }
    own = main.getAttribute("data-sign-first") && target.querySelector("figure.sign-first video");
    if (own) { playSafe(own); }
  }
  /* Again, slow (half speed) and repeat, under a sign video and in the sign dictionary. */
  function wireSignButtons(box) {
    var video = box.parentNode.querySelector("video");
    if (!video) { return; }
    box.hidden = false;
    box.addEventListener("click", function (ev) {
      var button = closest(ev.target, "[data-sign-do]"), what, on;
      if (!button) { return; }
      what = button.getAttribute("data-sign-do");
      on = button.getAttribute("aria-pressed") !== "true";
      if (what === "replay") { video.currentTime = 0; playSafe(video); return; }
      button.setAttribute("aria-pressed", on ? "true" : "false");
      if (what === "slow") { video.defaultPlaybackRate = video.playbackRate = on ? 0.5 : 1; }
      if (what === "loop") { video.loop = on; if (on && video.paused) { playSafe(video); } }
    });
    video.addEventListener("loadedmetadata", function () {
      var slow = box.querySelector("[data-sign-do=slow]");
      if (slow && slow.getAttribute("aria-pressed") === "true") { video.playbackRate = 0.5; }
    });
  }

  /* A signed word of the text opens its clip from the pack's sign dictionary, in place. */
  var pop = document.getElementById("sign-pop"), popFrom = null;
  function openSign(link) {
    var video = pop.querySelector("video"), title = pop.querySelector(".sign-pop-h");
    title.textContent = title.getAttribute("data-template").replace("WORD", link.textContent);
    popFrom = link;
    pop.hidden = false;
    if (video.getAttribute("src") !== link.getAttribute("href")) { video.setAttribute("src", link.getAttribute("href")); }
    video.currentTime = 0;
    title.setAttribute("tabindex", "-1");
    title.focus();
    playSafe(video);
  }
  function closeSign() {
    if (!pop || pop.hidden) { return; }
    pop.querySelector("video").pause();
    pop.hidden = true;
    if (popFrom) { popFrom.focus(); }
  }
  /* The dictionary is a modal dialog: Escape closes it, Tab stays inside it. */
  document.addEventListener("keydown", function (ev) {
    var items, first, end;
    if (ev.key === "Escape" || ev.keyCode === 27) { closeSign(); return; }
    if (!pop || pop.hidden || !(ev.key === "Tab" || ev.keyCode === 9)) { return; }
    items = pop.querySelectorAll("video, button");
    first = items[0];
    end = items[items.length - 1];
    if (ev.shiftKey ? document.activeElement === first || !pop.contains(document.activeElement) : document.activeElement === end) {
      ev.preventDefault();
      (ev.shiftKey ? end : first).focus();
    }
  });


  document.addEventListener("click", function (ev) {
    var word = pop && closest(ev.target, "a.sign-word");
    if (word) { ev.preventDefault(); openSign(word); return; }
    if (pop && closest(ev.target, "[data-sign-close]")) { closeSign(); }
  });
  document.addEventListener("kitpage", function (ev) { startSign(ev.target); });

  (function () {
    var boxes = document.querySelectorAll(".sign-buttons"), i, shown = main.querySelector("section.step:not([hidden])");
    for (i = 0; i < boxes.length; i++) { wireSignButtons(boxes[i]); }
    if (shown) { startSign(shown); }
  }());
}());
