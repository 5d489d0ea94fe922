/* Compare the kit's clock with this device's: a Raspberry Pi has no battery clock and can
   come back from a power cut in the past. Warn when they differ by more than 5 minutes. */
(function () {
  "use strict";
  var note = document.getElementById("clock-check");
  if (!note) { return; }
  var kit = Date.parse(note.getAttribute("data-kit-time"));
  if (isNaN(kit)) { return; }
  var minutes = Math.round((Date.now() - kit) / 60000);
  if (Math.abs(minutes) > 5) {
    note.textContent = note.getAttribute("data-message").replace("{minutes}", Math.abs(minutes));
    note.hidden = false;
  }
}());
