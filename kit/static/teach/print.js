// A "Print" button on the printable pages (login cards, Wi-Fi sheet): a file, not an
// onclick attribute, because the pages' Content-Security-Policy runs no inline script.
"use strict";
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
