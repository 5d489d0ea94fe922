/* Every learner page but the live one: when the teacher starts a live class for this
   learner's class, go to it (in free mode only the first time, and when the teacher calls
   everyone back). Plain ES5 for old Android WebViews (Chrome 70). It asks every poll_ms
   with the last answer's ETag, so the kit answers 304 (no body) until something changes.
   Small on purpose: the rest of the live class (live.js) loads only on the live page. */
(function () {
  "use strict";
  var body = document.body, url = body.getAttribute("data-live-url");
  var tag = null, period = 1000, failures = 0, timer = null;
  if (!url || !window.XMLHttpRequest || !window.JSON) { return; }

  function seen() {
    try { return JSON.parse(window.localStorage.getItem("kit.live.seen") || "null") || {}; } catch (e) { return {}; }
  }
  function schedule(ms) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(tick, ms === undefined ? (failures ? Math.min(3000, period * (1 + failures)) : period) : ms);
  }
  function go(state) {
    var was = seen();
    if (!state || (state.mode === "free" && was.id === state.id && !(state.recall > (was.recall || 0)))) { return false; }
    window.location.href = body.getAttribute("data-live-page");
    return true;
  }
  function tick() {
    var xhr = new XMLHttpRequest(), data = null;
    timer = null;
    xhr.open("GET", url, true);
    xhr.timeout = 8000;
    if (tag) { xhr.setRequestHeader("If-None-Match", tag); }
    xhr.onload = function () {
      if (xhr.status === 401) { return; }  /* signed out on this tablet: nothing to follow */
      if (xhr.status === 200) { try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; } }
      failures = data || xhr.status === 304 ? 0 : failures + 1;
      if (data) {
        tag = xhr.getResponseHeader("ETag");
        period = data.poll_ms || period;
        if (go(data.live)) { return; }
      }
      schedule();
    };
    xhr.onerror = xhr.ontimeout = function () { failures += 1; schedule(); };
    xhr.send(null);
  }

  window.addEventListener("online", function () { schedule(0); });
  schedule(300);
}());
