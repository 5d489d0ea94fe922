/* A live class on tablets and on the projector: follow the teacher's page without reloading.
   Plain ES5 for old Android WebViews (Chrome 70): no arrow functions, no optional chaining.
   It asks the kit for the class's state with the last answer's ETag, so the kit answers
   304 (no body) until the teacher moves. A tablet's ask carries wait=1: the kit holds it
   until the teacher moves (up to data-hold-ms) and says X-Live-Held: 1, and the tablet
   asks again at once; an answer not held (the kit's budget of held asks was full) is a
   poll, asked again after poll_ms. The projector polls. Loaded only on the two live pages
   (every other learner page has the small watch.js, which brings the tablet here). Roles:
   - the learner's live page: show the teacher's step, the pause screen, the question
     asked to the room (answers queue in the browser while the kit is away), the hand;
   - the projector: the same page, large, and the answers as a bar chart, no names. */
(function () {
  "use strict";
  var main = document.querySelector("main.live");
  var role = main && main.getAttribute("data-role");
  var stateUrl = main && main.getAttribute("data-state-url");
  if (!stateUrl || !window.XMLHttpRequest || !window.JSON) { return; }
  var kit = window.kitLearn || null;
  var ANSWERS = "kit.live.answers", SEEN = "kit.live.seen";
  var tag = null, period = 1000, failures = 0, timer = null, live = null, recallSeen = -1;
  var shownStep = +main.getAttribute("data-step"), lastNote = "", lateFor = 0, askedSeen = 0;
  var holdMs = +(main.getAttribute("data-hold-ms") || 0);
  /* 60 tablets learn of a move within the same few ms: their page-shown events go over
     SPREAD_MS, not in one burst that other learners' saves would queue behind. */
  var SPREAD_MS = 3000;

  function load(key, fallback) { try { return JSON.parse(window.localStorage.getItem(key) || "null") || fallback; } catch (e) { return fallback; } }
  function keep(key, value) { try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: memory only */ } }
  function $(id) { return document.getElementById(id); }

  function send(method, url, data, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.timeout = 8000 + (method === "GET" ? holdMs : 0);
    if (method === "GET" && tag) { xhr.setRequestHeader("If-None-Match", tag); }
    if (data !== null) { xhr.setRequestHeader("Content-Type", "application/json"); }
    xhr.onload = function () {
      var parsed = null;
      if (xhr.status === 200 || xhr.status >= 400) { try { parsed = JSON.parse(xhr.responseText); } catch (e) { parsed = null; } }
      done(xhr.status, parsed, xhr.getResponseHeader("ETag"), xhr.getResponseHeader("X-Live-Held") === "1");
    };
    xhr.onerror = xhr.ontimeout = function () { done(0, null, null); };
    xhr.send(data === null ? null : JSON.stringify(data));
  }

  function schedule(ms) { if (timer) { clearTimeout(timer); } timer = setTimeout(tick, ms); }
  function tick() {
    timer = null;
    send("GET", stateUrl, null, function (code, data, etag, held) {
      if (code === 200 && data) { tag = etag; failures = 0; connected(true); apply(data); }
      else if (code === 304) { failures = 0; connected(true); }
      else if (code === 404 && role === "projector") { window.location.reload(); return; }
      else if (code === 401) { return; }  /* signed out on this tablet: nothing to follow */
      else { failures += 1; connected(false); }
      if (role === "learner") { flushAnswers(); }
      schedule(failures ? Math.min(3000, period * (1 + failures)) : held ? 0 : period);
    });
  }

  function apply(data) {
    if (role === "projector") { follow(data); return; }
    period = data.poll_ms || period;
    if (!data.live || data.live.id !== main.getAttribute("data-live")) {
      window.location.href = data.live ? window.location.href : main.getAttribute("data-lessons-url");
      return;
    }
    follow(data.live);
  }

  function follow(state) {
    var first = live === null;
    live = state;
    main.className = main.className.replace(/ ?mode-\w+/g, "") + " mode-" + state.mode;
    $("live-pause").hidden = state.mode !== "pause";
    if (role === "learner") { keep(SEEN, { id: state.id, recall: state.recall || 0 }); }
    if (first) { recallSeen = state.recall || 0; }
    if (state.mode !== "free" || state.recall > recallSeen || first) { show(state.step); }
    /* A question newly asked to the room brings a wandering tablet to it, in free mode too. */
    if (state.question && state.question.no > askedSeen && state.question.state === "open" && state.question.kind === "quiz") { show(state.question.step); }
    if (state.question) { askedSeen = state.question.no; }
    recallSeen = state.recall || 0;
    question(state.question);
    if (role === "learner") { hand(state.hand); banner(); }
  }

  function show(n) {
    var steps = main.querySelectorAll("section.step"), i, target = null;
    for (i = 0; i < steps.length; i++) {
      steps[i].hidden = +steps[i].getAttribute("data-step") !== n;
      if (!steps[i].hidden) { target = steps[i]; }
    }
    if (!target || n === shownStep) { return; }
    shownStep = n;
    window.scrollTo(0, 0);
    if (kit) { kit.announce(target); }  // sign.js: a sign-first learner's clip starts
    if (role === "learner" && kit) { kit.enqueue("live_page_shown", { live: live.id, page: n }, Math.random() * SPREAD_MS); }
  }

  function banner() {
    var el = $("live-status");
    if (!el) { return; }
    el.textContent = el.getAttribute(failures > 1 ? "data-offline" : live && live.mode === "free" ? "data-free" : "data-live");
  }
  function connected(ok) { if (!ok && failures > 1 && role === "learner") { banner(); } }

  function note(which, text) {
    var el = $("live-note");
    if (!el) { return; }
    var words = text || (which ? el.getAttribute("data-" + which) : "");
    if (words !== lastNote) { lastNote = words; el.textContent = words; }
  }

  /* The question asked to the room: the poll's overlay, or the quiz question's own step. */
  function question(q) {
    var poll = $("live-poll"), mine = q ? answerOf(q.no) : null;
    if (poll) { poll.hidden = !(q && q.kind === "poll" && q.state === "open" && role === "learner"); }
    markRight(q);
    if (role === "projector") { chart(q); return; }
    if (!q) { note(""); return; }
    if (q.state === "revealed") { note("revealed"); }
    else if (q.state === "closed") { note(lateFor === q.no ? "late" : "closed"); }
    else if (mine && mine.queued) { note("queued"); }
    else if (mine) { note("sent"); }
    else { note("open"); }
    pressChoices(q, mine);
  }

  function pressChoices(q, mine) {
    var buttons = document.querySelectorAll("#live-poll [data-choice]"), i;
    for (i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", mine && q.kind === "poll" && mine.choices[0] === buttons[i].getAttribute("data-choice") ? "true" : "false");
    }
  }

  function markRight(q) {
    var labels = main.querySelectorAll("label.choice"), i, input, right;
    for (i = 0; i < labels.length; i++) {
      input = labels[i].querySelector("input");
      right = q && q.state === "revealed" && q.kind === "quiz" && sectionStep(labels[i]) === q.step && q.correct.indexOf(input.value) >= 0;
      labels[i].className = "choice" + (right ? " right" : "");
    }
  }
  function sectionStep(el) {
    while (el && !(el.tagName === "SECTION" && el.hasAttribute("data-step"))) { el = el.parentNode; }
    return el ? +el.getAttribute("data-step") : -1;
  }

  /* Answers wait in the browser until the kit has them; the same uuid is stored once. */
  var sending = false;
  function answerOf(no) {
    var all = load(ANSWERS, []), i;
    for (i = all.length - 1; i >= 0; i--) { if (all[i].live === live.id && all[i].question === no) { return all[i]; } }
    return null;
  }
  function answer(choices) {
    var q = live && live.question, all = load(ANSWERS, []), kept = [], i;
    if (!q || q.state !== "open" || !kit) { return; }
    for (i = 0; i < all.length; i++) { if (!(all[i].live === live.id && all[i].question === q.no)) { kept.push(all[i]); } }
    kept.push({ live: live.id, question: q.no, choices: choices, uuid: kit.uuid4(), queued: true });
    keep(ANSWERS, kept.slice(-20));
    question(q);
    flushAnswers();
  }
  function flushAnswers() {
    var all = load(ANSWERS, []), item = null, i;
    for (i = 0; i < all.length; i++) { if (all[i].queued) { item = all[i]; break; } }
    if (!item || sending) { return; }
    sending = true;
    send("POST", main.getAttribute("data-answer-url"), { live: item.live, question: item.question, choices: item.choices, uuid: item.uuid }, function (code, data) {
      sending = false;
      if (code === 0 || code >= 500) { if (live) { question(live.question); } return; }
      var now = load(ANSWERS, []), j;
      for (j = 0; j < now.length; j++) { if (now[j].uuid === item.uuid) { if (code === 200) { now[j].queued = false; } else { now.splice(j, 1); } break; } }
      keep(ANSWERS, now);
      if (code === 409) { lateFor = item.question; note("late"); } else if (live) { question(live.question); }
      flushAnswers();
    });
  }

  function hand(up) {
    var button = $("live-hand");
    if (!button) { return; }
    button.hidden = false;
    button.setAttribute("aria-pressed", up ? "true" : "false");
    button.querySelector(".label").textContent = button.getAttribute(up ? "data-down" : "data-up");
  }

  /* The projector's chart: one bar per choice, counts only. */
  function chart(q) {
    var box = $("live-chart"), list = $("chart"), labels = (main.getAttribute("data-poll-labels") || "").split("|");
    var polls = { yes: labels[0], unsure: labels[1], no: labels[2] }, i, c, li, total;
    if (!box) { return; }
    box.hidden = !q;
    if (!q) { return; }
    $("chart-prompt").textContent = q.kind === "poll" ? $("live-poll-h").textContent : q.prompt;
    list.textContent = "";
    total = q.answered || 0;
    for (i = 0; i < q.choices.length; i++) {
      c = q.choices[i];
      li = document.createElement("li");
      li.className = q.correct.indexOf(c.id) >= 0 ? "right" : "";
      li.innerHTML = '<span class="label"></span><span class="meter"><span class="fill"></span></span> <span class="n"></span>';
      li.querySelector(".label").textContent = (q.kind === "poll" ? polls[c.id] : c.text) + (q.correct.indexOf(c.id) >= 0 ? " ✓" : "");
      li.querySelector(".fill").className = "fill w" + (total ? Math.round(q.counts[c.id] * 10 / total) : 0);
      li.querySelector(".n").textContent = q.counts[c.id];
      list.appendChild(li);
    }
    $("chart-answered").textContent = list.getAttribute("data-answered").replace("N", kit ? kit.digits(total) : total);
  }

  if (role === "learner") {
    document.addEventListener("submit", function (ev) {
      var form = ev.target, inputs, choices = [], i;
      if (!form.className || form.className.indexOf("question") < 0) { return; }
      ev.preventDefault();
      inputs = form.querySelectorAll("input[name=response]");
      for (i = 0; i < inputs.length; i++) { if (inputs[i].checked) { choices.push(inputs[i].value); } }
      if (!live || !live.question || live.question.state !== "open" || live.question.step !== sectionStep(form)) { note("wait"); return; }
      if (choices.length) { answer(choices); }
    });
    document.addEventListener("click", function (ev) {
      var el = ev.target;
      while (el && el !== document && !(el.getAttribute && (el.hasAttribute("data-choice") || el.hasAttribute("data-go") || el.id === "live-hand"))) { el = el.parentNode; }
      if (!el || el === document) { return; }
      if (el.hasAttribute("data-choice")) { answer([el.getAttribute("data-choice")]); return; }
      if (el.hasAttribute("data-go")) {
        ev.preventDefault();
        if (live && live.mode === "free") { show(+el.getAttribute("data-go")); }
        return;
      }
      raise(el);
    });
  }

  function raise(button) {
    var up = button.getAttribute("aria-pressed") !== "true";
    send("POST", main.getAttribute("data-hand-url"), { live: live ? live.id : "", up: up }, function (code, data) {
      if (code === 200) { hand(up); }
      else if (data && data.error) { note("", button.getAttribute("data-slow")); }
    });
  }

  window.addEventListener("online", function () { schedule(0); });
  if (role === "learner" && $("live-again")) { $("live-again").hidden = true; }
  schedule(0);
}());
