/* The lesson player: steps without reloading, quiz feedback from the kit, the result.
   Needs learn.js (window.kitLearn). The server renders the same steps for ?step=N.
   Sign language (sign.js) and read-along with spoken questions (speak.js) are scripts of
   their own, which the page loads only when it has them: each shown page is announced to
   them as a "kitpage" event on its section (kitLearn.announce, learn.js). */
(function () {
  "use strict";
  var kit = window.kitLearn, main = document.querySelector("main.player");
  if (!kit || !main) { return; }
  var pages = +main.getAttribute("data-pages"), last = +main.getAttribute("data-last");
  var step = +main.getAttribute("data-step"), hasQuiz = last > pages;
  var key = "kit.attempt." + main.getAttribute("data-pack") + "/" + main.getAttribute("data-lesson");
  var attempt = Math.max(+main.getAttribute("data-attempt"), +(safeGet(key) || 0));

  function safeGet(k) { try { return window.localStorage.getItem(k); } catch (e) { return null; } }
  function safePut(k, v) { try { window.localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  var matches = kit.matches, closest = kit.closest, playSafe = kit.playSafe, announce = kit.announce;
  function section(n) { return document.getElementById("step-" + n); }

  function show(n, record) {
    var i, target = section(n);
    if (!target) { return; }
    for (i = 0; i <= last; i++) { if (section(i)) { section(i).hidden = i !== n; } }
    step = n;
    if (window.history && history.replaceState) { history.replaceState(null, "", "?step=" + n); }
    target.setAttribute("tabindex", "-1");
    target.focus();
    window.scrollTo(0, 0);
    announce(target);
    if (record !== false) { kit.enqueue("page_viewed", { page: n }); }
  }

  function finish() {
    if (hasQuiz) { kit.enqueue("quiz_finished", { attempt: attempt }); }
    kit.enqueue("lesson_completed", {});
    attempt += 1;
    safePut(key, String(attempt));
    show(last);
    if (hasQuiz) { waitForScore(0); }
  }

  /* The score is the kit's, worked out from the stored answers: ask once they are sent. */
  function waitForScore(tries) {
    var box = document.querySelector(".result .score");
    if (!box) { return; }
    box.textContent = box.getAttribute("data-waiting");
    if (kit.queued() > 0) { if (tries < 300) { setTimeout(function () { waitForScore(tries + 1); }, 1000); } return; }
    kit.request("GET", main.getAttribute("data-progress-url"), null, function (code, data) {
      var i, row = null;
      for (i = 0; data && data.lessons && i < data.lessons.length; i++) {
        if (data.lessons[i].pack_id === main.getAttribute("data-pack") && data.lessons[i].lesson_id === main.getAttribute("data-lesson")) { row = data.lessons[i]; }
      }
      if (code !== 200 || !row || row.score === null || row.attempts < attempt - 1) {
        if (tries < 300) { setTimeout(function () { waitForScore(tries + 1); }, 1000); }
        return;
      }
      showScore(box, row, data.certificates || []);
    });
  }

  /* Three lines, as the server writes them: the score, the first tries that made it, what next. */
  function showScore(box, row, certificates) {
    var total = +box.getAttribute("data-questions"), lines = [
      box.getAttribute("data-template").replace("SCORE", kit.digits(Math.round(row.score * 100))),
      box.getAttribute("data-firsttry").replace("RIGHT", kit.digits(Math.round(row.score * total))).replace("TOTAL", kit.digits(total)),
      box.getAttribute(row.status === "mastered" ? "data-mastered" : "data-again")], i, p;
    box.textContent = "";
    for (i = 0; i < lines.length; i++) {
      p = document.createElement("p");
      p.textContent = lines[i];
      box.appendChild(p);
    }
    /* A course's final passed: the certificate the kit has just signed. */
    for (i = 0; i < certificates.length; i++) {
      if (certificates[i].pack_id === main.getAttribute("data-pack") && box.hasAttribute("data-certificate")) {
        p = document.createElement("p");
        p.className = "certificate-earned";
        p.textContent = box.getAttribute("data-certificate").replace("TITLE", certificates[i].title).replace("CODE", certificates[i].code);
        box.appendChild(p);
      }
    }
  }

  /* The big play button over each video: it starts the video, and hides while it plays. */
  function wirePlay(button) {
    var video = button.parentNode.querySelector("video");
    if (!video || !video.play) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var started = video.play();
      if (started && started["catch"]) { started["catch"](function () { button.hidden = false; }); }
    });
    video.addEventListener("play", function () { button.hidden = true; });
    video.addEventListener("pause", function () { button.hidden = false; });
    video.addEventListener("ended", function () { button.hidden = false; });
  }

  function responseOf(form) {
    var type = form.getAttribute("data-type"), inputs = form.querySelectorAll("[name=response]"), out = [], i;
    for (i = 0; i < inputs.length; i++) {
      if (type === "single" && inputs[i].checked) { return inputs[i].value; }
      if (type === "multiple" && inputs[i].checked) { out.push(inputs[i].value); }
      if (type === "numeric" || type === "text") { return inputs[i].value.replace(/^\s+|\s+$/g, ""); }
    }
    return type === "multiple" && out.length ? out : null;
  }

  /* SHA-256 of a text (its UTF-8 bytes), in hex: the tablet's half of
     kit/packs/offline_check.py. (crypto.subtle needs HTTPS, which a kit's own Wi-Fi lacks.) */
  function sha256(text) {
    var bytes = unescape(encodeURIComponent(text)), len = bytes.length, words = [], k = [], h = [];
    var i, j, n, c, p, w, a, t1, t2, hex = "";
    function rot(x, r) { return (x >>> r) | (x << (32 - r)); }
    for (c = 2, n = 0; n < 64; c++) {
      for (p = 2; p * p <= c && c % p; p++) { /* trial division: the first 64 primes */ }
      if (p * p > c) {
        if (n < 8) { h[n] = (Math.pow(c, 1 / 2) * 4294967296) | 0; }
        k[n++] = (Math.pow(c, 1 / 3) * 4294967296) | 0;
      }
    }
    for (i = 0; i < len; i++) { words[i >> 2] |= bytes.charCodeAt(i) << ((3 - i % 4) * 8); }
    words[len >> 2] |= 0x80 << ((3 - len % 4) * 8);
    n = (((len + 8) >> 6) + 1) * 16;
    words[n - 1] = len * 8;
    for (i = 0; i < n; i += 16) {
      w = words.slice(i, i + 16);
      a = h.slice(0);
      for (j = 0; j < 64; j++) {
        w[j] = j < 16 ? w[j] | 0 : (w[j - 16] + (rot(w[j - 15], 7) ^ rot(w[j - 15], 18) ^ (w[j - 15] >>> 3)) +
          w[j - 7] + (rot(w[j - 2], 17) ^ rot(w[j - 2], 19) ^ (w[j - 2] >>> 10))) | 0;
        t1 = (a[7] + (rot(a[4], 6) ^ rot(a[4], 11) ^ rot(a[4], 25)) + ((a[4] & a[5]) ^ (~a[4] & a[6])) + k[j] + w[j]) | 0;
        t2 = ((rot(a[0], 2) ^ rot(a[0], 13) ^ rot(a[0], 22)) + ((a[0] & a[1]) ^ (a[0] & a[2]) ^ (a[1] & a[2]))) | 0;
        a = [(t1 + t2) | 0].concat(a.slice(0, 7));
        a[4] = (a[4] + t1) | 0;
      }
      for (j = 0; j < 8; j++) { h[j] = (h[j] + a[j]) | 0; }
    }
    for (j = 0; j < 8; j++) { hex += ("0000000" + (h[j] >>> 0).toString(16)).slice(-8); }
    return hex;
  }

  /* Right or wrong from the page's salted hashes, while the kit cannot be reached: true,
     false, or null when this answer cannot be judged here (the tablet then waits). */
  function judgeHere(form, response) {
    var salt = form.getAttribute("data-salt"), hashes = " " + (form.getAttribute("data-hashes") || "") + " ";
    var type = form.getAttribute("data-type"), at;
    function has(token) { return hashes.indexOf(" " + sha256(salt + "\n" + token) + " ") >= 0; }
    if (!salt) { return null; }
    if (type === "multiple") { return has(response.slice(0).sort().join(",")); }
    if (type === "text") { return has(normaliseText(response)); }
    if (type !== "numeric") { return has(response); }
    at = numberCell(String(response).replace(",", ".").replace(/^\s+|\s+$/g, ""), Number(form.getAttribute("data-places")));
    if (!at || has("?" + at.k)) { return null; }
    return has(at.k) || (at.exact && has("=" + at.k));
  }
  /* The grid cell of a typed number, as kit/packs/offline_check.py counts them:
     floor(number x 10^places), and whether the number is exactly that cell's start.
     Worked on the typed digits, not in floating point, so it agrees with the kit to the
     last digit; null for what it cannot read (1e3, other scripts' digits, 16 digits and
     more): the kit judges those. */
  function numberCell(text, places) {
    var m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text), digits, point, head, tail, k;
    if (!m || isNaN(places) || !(m[2] + (m[3] || ""))) { return null; }
    digits = m[2] + (m[3] || "");
    point = m[2].length + places;
    while (digits.length < point) { digits += "0"; }
    head = point > 0 ? digits.slice(0, point).replace(/^0+/, "") : "";
    tail = point > 0 ? digits.slice(point) : digits;
    if (head.length > 15) { return null; }
    k = Number(head || "0");
    tail = !/[1-9]/.test(tail);
    if (m[1] === "-" && (k || !tail)) { k = tail ? -k : -k - 1; }
    return { k: String(k), exact: tail };
  }
  /* As kit/packs/quiz.py's normalise_text: case, accents and extra spaces do not count. */
  function normaliseText(text) {
    text = String(text).toLowerCase();
    if (text.normalize) { text = text.normalize("NFKD").replace(/[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g, ""); }
    return text.replace(/\s+/g, " ").replace(/^ | $/g, "");
  }

  function showFeedback(form, correct, words, quiet) {
    var box = form.querySelector(".feedback"), hint = form.querySelector(".hint");
    box.className = "feedback " + (correct ? "right" : "wrong");
    box.textContent = box.getAttribute(correct ? "data-right" : "data-wrong") + (words ? " " + words : "");
    if (!quiet) { chime(correct); }
    if (hint && !correct) { hint.open = true; }
  }

  /* The kit records the check as the answer event itself (same uuid as the queued one,
     so it is stored once): a learner cannot try every choice unseen. */
  function check(form, response, event, tries, here) {
    var box = form.querySelector(".feedback");
    var body = { pack_id: main.getAttribute("data-pack"), lesson_id: main.getAttribute("data-lesson"),
      question_id: form.getAttribute("data-qid"), response: response, attempt: attempt };
    if (event) { body.uuid = event.uuid; body.attempt = event.payload.attempt; }
    var mine = event ? event.uuid : "";
    kit.request("POST", main.getAttribute("data-check-url"), body, function (code, data) {
      // A newer answer to the same question speaks for it now (the queue still delivers this one).
      if (form.getAttribute("data-checking") !== mine) { return; }
      if (code !== 200 || !data) {
        if (here === undefined && code !== 422) { here = judgeHere(form, response); }
        if (here === null || here === undefined) {
          box.className = "feedback waiting";
          box.textContent = box.getAttribute("data-waiting");
        } else if (tries === 0) { showFeedback(form, here, ""); }
        if (tries < 100 && code !== 422) { setTimeout(function () { check(form, response, event, tries + 1, here); }, 3000); }
        return;
      }
      showFeedback(form, data.correct, data.feedback, here === data.correct);
    });
  }

  /* A short sound with the words and the icon, so a child who cannot read knows: two
     rising notes for right, two falling for not yet. Made by the Web Audio API (no file
     to download); the context is woken by the tap on Check, as browsers require. */
  var sound = null;
  function wakeSound() {
    var Context = window.AudioContext || window.webkitAudioContext;
    try {
      if (!sound && Context) { sound = new Context(); }
      if (sound && sound.state === "suspended" && sound.resume) { sound.resume(); }
    } catch (e) { sound = null; }
  }
  function chime(right) {
    var notes = right ? [660, 880] : [330, 247], i, at, osc, gain;
    if (!sound) { return; }
    try {
      for (i = 0; i < notes.length; i++) {
        at = sound.currentTime + i * 0.14;
        osc = sound.createOscillator();
        gain = sound.createGain();
        osc.type = right ? "sine" : "triangle";
        osc.frequency.value = notes[i];
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.13);
        osc.connect(gain);
        gain.connect(sound.destination);
        osc.start(at);
        osc.stop(at + 0.14);
      }
    } catch (e) { /* no sound: the words and the icon still say it */ }
  }

  document.addEventListener("click", function (ev) {
    var go = closest(ev.target, "[data-go]"), retry = closest(ev.target, "[data-retry]");
    if (retry) { ev.preventDefault(); resetQuiz(); show(pages); return; }
    if (!go) { return; }
    ev.preventDefault();
    if (go.hasAttribute("data-finish")) { finish(); } else { show(+go.getAttribute("data-go")); }
  });

  function resetQuiz() {
    var forms = document.querySelectorAll("form.question"), i, j, inputs;
    for (i = 0; i < forms.length; i++) {
      inputs = forms[i].querySelectorAll("input[name=response]");
      for (j = 0; j < inputs.length; j++) { inputs[j].checked = false; if (inputs[j].type === "text") { inputs[j].value = ""; } }
      forms[i].querySelector(".feedback").textContent = "";
      forms[i].querySelector(".feedback").className = "feedback";
    }
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target, help = matches(form, "form.help");
    if (help) {
      ev.preventDefault();
      kit.enqueue("help_requested", {});
      var button = form.querySelector("button");
      button.setAttribute("aria-pressed", "true");
      button.textContent = button.getAttribute("data-done");
      return;
    }
    if (!matches(form, "form.question")) { return; }
    ev.preventDefault();
    var response = responseOf(form);
    if (response === null || response === "") { form.querySelector("[name=response]").focus(); return; }
    wakeSound();
    var event = kit.enqueue("answer", { question_id: form.getAttribute("data-qid"), response: response, attempt: attempt });
    form.setAttribute("data-checking", event ? event.uuid : "");
    check(form, response, event, 0);
  });

  (function () {
    var buttons = document.querySelectorAll(".screen .play"), i;
    for (i = 0; i < buttons.length; i++) { wirePlay(buttons[i]); }
  }());

  kit.enqueue("lesson_opened", {});
  kit.enqueue("page_viewed", { page: step });
})();
