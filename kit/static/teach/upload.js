/* Upload a content pack with a visible progress bar (XHR upload events). Without this
   script the form still works as a plain upload. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var bar = document.getElementById("upload-progress");
  var wrap = document.getElementById("upload-progress-wrap");
  var status = document.getElementById("upload-status");

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    wrap.hidden = false;
    bar.value = 0;
    status.textContent = "";
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      status.textContent = status.getAttribute("data-installing");
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 200 && body) {
        status.textContent = body.message;
        window.setTimeout(function () { window.location.reload(); }, 1500);
      } else {
        status.textContent = (body && body.error && body.error.message) || status.getAttribute("data-failed");
        status.className = "flash error";
      }
    });
    xhr.addEventListener("error", function () {
      status.textContent = status.getAttribute("data-failed");
      status.className = "flash error";
    });
    xhr.send(new FormData(form));
  });
}());
