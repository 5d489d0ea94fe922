/* Refresh the class progress grid every few seconds without reloading the page, and make
   it compact: symbols and colours only, the words on tap or with "Show words".
   The page is complete without this script (each cell then shows its symbol and words). */
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
          cell.className = "cell s-" + status + (cell.className.indexOf(" open") >= 0 ? " open" : "");
          cell.title = data.labels[status];
          cell.querySelector(".sym").textContent = data.symbols[status];
          cell.querySelector(".word").textContent = data.labels[status];
        }
      });
    });
    updateHelp(data.help || []);
    if (note) { note.setAttribute("data-updated", new Date().toISOString()); }
  }

  /* Redraw the "Needs help" list when the set of flags changed, with working Dismiss forms. */
  function updateHelp(items) {
    var list = document.getElementById("help-list");
    var empty = document.getElementById("no-help");
    var token = document.querySelector("input[name=csrf_token]");
    if (!list || !token) { return; }
    var key = items.map(function (h) { return h.url + "|" + h.lesson_id; }).join(",");
    if (list.getAttribute("data-key") === key) { return; }
    list.setAttribute("data-key", key);
    list.textContent = "";
    items.forEach(function (h) {
      var li = document.createElement("li");
      var form = document.createElement("form");
      li.appendChild(document.createTextNode(h.text + " "));
      form.method = "post";
      form.action = h.url;
      form.className = "inline";
      [["csrf_token", token.value], ["pack_id", h.pack_id], ["lesson_id", h.lesson_id]]
        .forEach(function (pair) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = pair[0];
          input.value = pair[1];
          form.appendChild(input);
        });
      var button = document.createElement("button");
      button.type = "submit";
      button.textContent = list.getAttribute("data-dismiss");
      form.appendChild(button);
      li.appendChild(form);
      list.appendChild(li);
    });
    if (empty) { empty.hidden = items.length > 0; }
  }

  function compact() {
    var words = document.getElementById("grid-words");
    table.className += " compact";
    table.addEventListener("click", function (ev) {
      var cell = ev.target;
      while (cell && cell !== table && !(cell.tagName === "TD" && /(^| )cell( |$)/.test(cell.className))) { cell = cell.parentNode; }
      if (cell && cell !== table) { cell.classList.toggle("open"); }
    });
    if (!words) { return; }
    words.hidden = false;
    words.addEventListener("click", function () {
      var on = words.getAttribute("aria-pressed") !== "true";
      words.setAttribute("aria-pressed", on ? "true" : "false");
      table.classList.toggle("compact", !on);
    });
  }

  function tick() {
    fetch(src, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () { /* the kit is unreachable for a moment: try again next tick */ })
      .then(function () { window.setTimeout(tick, PERIOD_MS); });
  }
  compact();
  window.setTimeout(tick, PERIOD_MS);
}());
