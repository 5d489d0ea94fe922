/* The teacher's live class: send each tap without reloading, redraw from state.json every second.
   The page works without this script (each button is a form that posts and comes back).
   Every change carries the rev this screen last showed; a 409 means another device (or
   an earlier tap) moved the class first, and its answer is the class as it is now. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.fetch || !window.FormData) { return; }
  var actUrl = root.getAttribute("data-act-url"), stateUrl = root.getAttribute("data-state-url");
  var pages = +root.getAttribute("data-pages"), PERIOD_MS = 1000, busy = false, state = null, next = null;
  var token = root.querySelector("input[name=csrf_token]").value;
  var errorBox = document.getElementById("live-error");
  function $(id) { return document.getElementById(id); }
  /* Numbers in the page language's own digits (<html data-digits>, kit/web/numerals.py). */
  var DIGITS = document.documentElement.getAttribute("data-digits");
  function digits(n) { return DIGITS ? String(n).replace(/[0-9]/g, function (d) { return DIGITS.charAt(+d); }) : String(n); }
  function words(name, n, total) { return root.getAttribute(name).replace("N", digits(n)).replace("T", digits(total)); }

  function showError(text) { errorBox.textContent = text || ""; errorBox.hidden = !text; }

  root.addEventListener("click", function (ev) {
    var button = ev.target;
    while (button && button !== root && button.tagName !== "BUTTON") { button = button.parentNode; }
    if (!button || button === root || !button.form || button.form.getAttribute("action") !== actUrl) { return; }
    ev.preventDefault();
    send(button);
  });

  /* One change at a time, each with the rev the last answer gave; a tap during one waits for it. */
  function send(button) {
    var form = button.form, data;
    if (busy) { next = button; return; }
    data = new FormData(form);
    if (button.name) { data.append(button.name, button.value); }
    if (state) { data.set("rev", state.rev); }
    busy = true;
    fetch(actUrl, { method: "POST", body: data, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token } })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (answer) {
        if (answer.ok) { showError(""); draw(answer.body); return; }
        showError(answer.body.error ? answer.body.error.message : "");
        if (answer.body.state) { draw(answer.body.state); }
      })
      .catch(function () { showError(root.getAttribute("data-offline")); next = null; })
      .then(function () {
        var waiting = next;
        busy = false;
        next = null;
        if (waiting && !waiting.disabled) { send(waiting); }
      });
  }

  function draw(s) {
    var step, preview, i, q;
    if (state && s.rev < state.rev) { return; }  /* a poll that left before the last change */
    state = s;
    if (s.ended) { window.location.reload(); return; }
    root.querySelector("form.live-form input[name=rev]").value = s.rev;
    $("live-page").textContent = words("data-page-of", s.step + 1, s.last_step + 1);
    root.querySelector("button[value=back]").disabled = s.step <= 0;
    root.querySelector("button[value=next]").disabled = s.step >= s.last_step;
    ["follow", "free", "pause"].forEach(function (mode) {
      root.querySelector("button[name=mode][value=" + mode + "]").setAttribute("aria-pressed", s.mode === mode ? "true" : "false");
    });
    q = s.question;
    $("live-ask").disabled = s.step < pages || s.step >= s.last_step || !!(q && q.state === "open");
    $("live-poll-btn").disabled = !!(q && q.state === "open");
    $("live-close").disabled = !(q && q.state === "open");
    $("live-reveal").disabled = !(q && q.kind === "quiz" && q.state !== "revealed");
    preview = root.querySelectorAll(".live-preview section.step");
    for (i = 0; i < preview.length; i++) { step = +preview[i].getAttribute("data-step"); preview[i].hidden = step !== s.step; }
    $("live-connected").textContent = words("data-connected", s.connected, s.enrolled);
    people($("live-members"), s.members, false);
    people($("live-hands"), s.hands, true);
    drawQuestion(q);
  }

  function person(p) {
    var li = document.createElement("li"), img = document.createElement("img");
    img.src = root.getAttribute("data-avatars") + p.avatar + ".svg";
    img.alt = ""; img.width = 32; img.height = 32;
    li.appendChild(img);
    li.appendChild(document.createTextNode(" " + p.name + " "));
    return li;
  }

  /* Redraw a list only when its contents changed: never pull a button from under a finger. */
  function people(list, rows, hands) {
    var key = JSON.stringify(rows.map(function (p) { return [p.id, p.connected, p.hand]; }));
    if (list.getAttribute("data-key") === key) { return; }
    list.setAttribute("data-key", key);
    list.textContent = "";
    if (hands && !rows.length) {
      var none = document.createElement("li");
      none.className = "hint";
      none.textContent = root.getAttribute("data-no-hands");
      list.appendChild(none);
    }
    rows.forEach(function (p) {
      var li = person(p), form, tag;
      if (hands) {
        form = document.createElement("form");
        form.method = "post"; form.action = actUrl; form.className = "inline";
        form.setAttribute("action", actUrl);
        [["csrf_token", token], ["do", "lower"], ["learner_id", p.id]].forEach(function (pair) {
          var input = document.createElement("input");
          input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
          form.appendChild(input);
        });
        var button = document.createElement("button");
        button.type = "submit";
        button.textContent = root.getAttribute("data-lower");
        form.appendChild(button);
        li.appendChild(form);
      } else {
        li.className = p.connected ? "on" : "off";
        if (!p.connected) {
          tag = document.createElement("span");
          tag.className = "tag";
          tag.textContent = root.getAttribute("data-away");
          li.appendChild(tag);
        }
      }
      list.appendChild(li);
    });
  }

  function drawQuestion(q) {
    var box = $("live-question"), labels = root.getAttribute("data-poll-labels").split("|");
    var polls = { yes: labels[0], unsure: labels[1], no: labels[2] };
    var key = JSON.stringify(q);
    if (box.getAttribute("data-key") === key) { return; }
    box.setAttribute("data-key", key);
    if (!q) { return; }
    var list = document.createElement("ul"), total = q.answered || 0, p = document.createElement("p");
    list.className = "chart";
    q.choices.forEach(function (c) {
      var li = document.createElement("li"), right = q.correct.indexOf(c.id) >= 0;
      li.className = right && q.state === "revealed" ? "right" : "";
      li.innerHTML = '<span class="label"></span><span class="meter"><span class="fill"></span></span> <span class="n"></span> <span class="names"></span>';
      li.querySelector(".label").textContent = (q.kind === "poll" ? polls[c.id] : c.text) + (right ? " ✓" : "");
      li.querySelector(".fill").className = "fill w" + (total ? Math.round(q.counts[c.id] * 10 / total) : 0);
      li.querySelector(".n").textContent = q.counts[c.id];
      li.querySelector(".names").textContent = (q.names[c.id] || []).join(", ");
      list.appendChild(li);
    });
    p.textContent = root.getAttribute("data-answered").replace("N", digits(total));
    var title = document.createElement("p");
    title.id = "live-q-title";
    title.textContent = q.kind === "poll" ? $("live-poll-btn").textContent : q.prompt;
    box.textContent = "";
    box.appendChild(title);
    box.appendChild(list);
    box.appendChild(p);
  }

  function tick() {
    fetch(stateUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s && !busy) { draw(s); } })
      .catch(function () { /* the kit is away for a moment: the next tick tries again */ })
      .then(function () { window.setTimeout(tick, PERIOD_MS); });
  }
  tick();
}());
