/* Refresh the list of who is here during a class session, every few seconds.
   The page is complete without this script (reloading it shows the same list); this only
   swaps in the list the kit draws at /teach/sessions/N/attendance when it has changed. */
(function () {
  "use strict";
  var live = document.getElementById("attendance-live");
  if (!live || !live.getAttribute("data-src") || !window.fetch) { return; }
  var src = live.getAttribute("data-src");
  var note = document.getElementById("attendance-note");
  var PERIOD_MS = 5000, shown = null;

  function update(html) {
    // Never pull a button from under the teacher's finger: wait while focus is in the list.
    if (live.contains(document.activeElement) && document.activeElement !== document.body) { return; }
    if (html === shown) { return; }
    shown = html;
    live.innerHTML = html;
    if (note) { note.setAttribute("data-updated", new Date().toISOString()); }
  }

  function tick() {
    fetch(src, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { update(html); } })
      .catch(function () { /* the kit is unreachable for a moment: try again next tick */ })
      .then(function () { window.setTimeout(tick, PERIOD_MS); });
  }
  window.setTimeout(tick, PERIOD_MS);
}());
