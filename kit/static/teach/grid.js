/* Refresh the class progress grid every few seconds without reloading the page.
   The page is complete without this script; it only updates cells in place. */
(function () {
  "use strict";
  var table = document.getElementById("grid");
  if (!table || !window.fetch) { return; }
  var src = table.getAttribute("data-src");
  var note = document.getElementById("grid-updated");
  var PERIOD_MS = 4000;

  function update(data) {
    var lessonCount = table.tHead.rows[0].cells.length - 1;
    if (data.lessons.length !== lessonCount) { window.location.reload(); return; }
    data.learners.forEach(function (learner) {
      var row = table.querySelector('tr[data-learner="' + learner.id + '"]');
      if (!row) { return; }
      learner.cells.forEach(function (status, i) {
        var cell = row.cells[i + 1];
        if (cell && cell.getAttribute("data-status") !== status) {
          cell.setAttribute("data-status", status);
          cell.className = "cell s-" + status;
          cell.textContent = data.labels[status];
        }
      });
    });
    if (note) { note.setAttribute("data-updated", new Date().toISOString()); }
  }

  function tick() {
    fetch(src, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () { /* the kit is unreachable for a moment: try again next tick */ })
      .then(function () { window.setTimeout(tick, PERIOD_MS); });
  }
  window.setTimeout(tick, PERIOD_MS);
}());
