// The diary form's time zone: when the address names none, choose the browser's own zone.
// The only script on the site; the form works the same without it (the list starts at UTC).
(function () {
  "use strict";
  var select = document.getElementById("tz");
  if (!select || !select.hasAttribute("data-guess") || !window.Intl) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === zone) {
      select.selectedIndex = i;
      return;
    }
  }
})();
