/* Classroom Kit learner pages: record events, keep them safe in the browser until the kit
   has them, and move through a lesson without reloading. Plain ES5 for old WebViews;
   every page works without this file (links and forms go to the server). */
(function () {
  "use strict";
  var QUEUE = "kit.queue", WHO = "kit.learner", BATCH = 100;
  var body = document.body, player = document.querySelector("main.player");
  var memory = {}, store = null;
  try { store = window.localStorage; store.setItem("kit.test", "1"); store.removeItem("kit.test"); } catch (e) { store = null; }
  function get(key) { return store ? store.getItem(key) : (memory[key] || null); }
  function put(key, value) { if (store) { store.setItem(key, value); } else { memory[key] = value; } }

  function uuid4() {
    var b = new Array(16), i, hex = "";
    var c = window.crypto || window.msCrypto;
    if (c && c.getRandomValues) { b = c.getRandomValues(new Uint8Array(16)); }
    else { for (i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); } }
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (i = 0; i < 16; i++) { hex += (b[i] + 256).toString(16).slice(1); if (i === 3 || i === 5 || i === 7 || i === 9) { hex += "-"; } }
    return hex;
  }
  var bootId = uuid4(), started = Date.now();
  function mono() { return Math.round(window.performance && performance.now ? performance.now() : Date.now() - started); }

  /* A new learner on this tablet: forget everything of the previous one but the queue. */
  (function resetForLearner() {
    var who = body.getAttribute("data-learner") || "", keys = [], i;
    if (get(WHO) === who) { return; }
    if (store) { for (i = 0; i < store.length; i++) { keys.push(store.key(i)); } }
    for (i = 0; i < keys.length; i++) { if (keys[i] !== QUEUE) { store.removeItem(keys[i]); } }
    put(WHO, who);
  })();

  var statusEl = document.getElementById("save-status");
  function showStatus(which) {
    if (!statusEl) { return; }
    statusEl.textContent = statusEl.getAttribute("data-" + which) || "";
    statusEl.className = "save " + which;
  }

  function load() { try { return JSON.parse(get(QUEUE) || "[]") || []; } catch (e) { return []; } }
  function save(queue) { put(QUEUE, JSON.stringify(queue)); }
  function forget(uuids) {
    var gone = {}, left = [], queue = load(), i;
    for (i = 0; i < uuids.length; i++) { gone[uuids[i]] = true; }
    for (i = 0; i < queue.length; i++) { if (!gone[queue[i].e.uuid]) { left.push(queue[i]); } }
    save(left);
  }

  function request(method, url, data, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, url, true);
    xhr.timeout = 15000;
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.onload = function () {
      var parsed = null;
      try { parsed = JSON.parse(xhr.responseText); } catch (e) { parsed = null; }
      done(xhr.status, parsed);
    };
    xhr.onerror = xhr.ontimeout = function () { done(0, null); };
    xhr.send(data === null ? null : JSON.stringify(data));
  }

  /* `within`: send it within that many ms (default 150) unless something sooner sends it. */
  function enqueue(kind, payload, within) {
    var token = body.getAttribute("data-token");
    if (!token || !player) { return null; }
    var event = {
      uuid: uuid4(), kind: kind, pack_id: player.getAttribute("data-pack"),
      lesson_id: player.getAttribute("data-lesson"), device_time: new Date().toISOString(),
      boot_id: bootId, mono_ms: mono(), payload: payload || {}
    };
    var queue = load();
    queue.push({ t: token, e: event });
    save(queue);
    within = within === undefined ? 150 : within;
    if (!timer || Date.now() + within < due) { schedule(within); }
    return event;
  }

  var timer = null, due = 0, busy = false, sent = false, delay = 1000, batchSize = BATCH;
  function schedule(ms) { if (timer) { clearTimeout(timer); } due = Date.now() + ms; timer = setTimeout(flush, ms); }
  function retryLater() {
    showStatus("waiting");
    schedule(delay);
    delay = Math.min(delay * 2, 30000);
  }

  /* Send the oldest events of one learner; the kit ignores repeats, so resending is safe. */
  function flush() {
    timer = null;
    if (busy) { return; }
    var queue = load(), batch = [], token, i;
    if (!queue.length) { if (sent) { showStatus("saved"); } return; }
    token = queue[0].t;
    for (i = 0; i < queue.length && batch.length < batchSize; i++) { if (queue[i].t === token) { batch.push(queue[i].e); } }
    busy = true;
    showStatus("saving");
    request("POST", "/api/v1/events", { token: token, events: batch }, function (code, data) {
      busy = false;
      var details = data && data.error && data.error.details;
      if (code === 200) { delay = 1000; sent = true; forget(uuidsOf(batch)); schedule(0); return; }
      if (code === 422 && details && typeof details.limit === "number") { batchSize = Math.max(1, details.limit); schedule(0); return; }
      if (code === 422 && details && typeof details.index === "number") { forget([batch[details.index].uuid]); schedule(0); return; }
      if (code === 413 && batch.length > 1) { batchSize = Math.max(1, Math.floor(batch.length / 2)); schedule(0); return; }
      if (code === 401 || code === 413 || code === 422) { forget(uuidsOf(batch)); schedule(0); return; }
      retryLater();
    });
  }
  function uuidsOf(events) { var out = [], i; for (i = 0; i < events.length; i++) { out.push(events[i].uuid); } return out; }

  /* Time on a lesson, counted only while the page is visible. */
  var visibleSince = document.hidden ? null : Date.now(), banked = 0;
  function bankTime() {
    if (visibleSince !== null) { banked += Date.now() - visibleSince; visibleSince = document.hidden ? null : Date.now(); }
    var seconds = Math.min(3600, Math.floor(banked / 1000));
    if (seconds >= 1) { banked -= seconds * 1000; enqueue("time_spent", { seconds: seconds }); }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { bankTime(); visibleSince = null; } else { visibleSince = Date.now(); schedule(0); }
  });
  window.addEventListener("pagehide", function () {
    if (player) { bankTime(); }
    var queue = load(), batch = [], i;
    if (!queue.length || !navigator.sendBeacon) { return; }
    for (i = 0; i < queue.length && batch.length < batchSize; i++) { if (queue[i].t === queue[0].t) { batch.push(queue[i].e); } }
    try { navigator.sendBeacon("/api/v1/events", new Blob([JSON.stringify({ token: queue[0].t, events: batch })], { type: "text/plain" })); } catch (e) { /* it stays queued */ }
  });
  window.addEventListener("online", function () { delay = 1000; schedule(0); });
  if (player) { setInterval(bankTime, 60000); }

  /* For the lesson page's scripts, the ordinary (player.js) and the live one (live.js), and
     what they share with sign.js and speak.js: each page shown is announced to them as a
     "kitpage" event on its section. */
  function matches(el, selector) { var f = el.matches || el.webkitMatchesSelector || el.msMatchesSelector; return f.call(el, selector); }
  function closest(el, selector) {
    while (el && el.nodeType === 1) { if (matches(el, selector)) { return el; } el = el.parentNode; }
    return null;
  }
  function playSafe(media) {
    var started = media.play();
    if (started && started["catch"]) { started["catch"](function () { /* the play button stays */ }); }
  }
  function announce(target) {
    var ev = document.createEvent("Event");
    ev.initEvent("kitpage", true, false);
    target.dispatchEvent(ev);
  }

  /* A number in the page language's own digits (১২৩ in Bangla: <html data-digits>, from
     kit/web/numerals.py), for numbers a script writes into sentences. */
  var DIGITS = document.documentElement.getAttribute("data-digits");
  function digits(n) { return DIGITS ? String(n).replace(/[0-9]/g, function (d) { return DIGITS.charAt(+d); }) : String(n); }

  window.kitLearn = {
    enqueue: enqueue, flush: flush, queued: function () { return load().length; }, request: request, mono: mono, uuid4: uuid4,
    matches: matches, closest: closest, playSafe: playSafe, announce: announce, digits: digits
  };
  schedule(0);
})();
