// supportd staff pages: badges tick down between the list's refreshes. Wall-time clocks count
// down every second; business-calendar clocks are counted by the server (open hours only) and
// refreshed with the list. A badge whose deadline passed turns red without waiting for the poll.
(function () {
  "use strict";
  var inWord = document.documentElement.lang === "ja" ? ["あと ", ""] : ["in ", ""];
  function span(ms) {
    var m = Math.max(0, Math.round(ms / 60000));
    if (m < 60) return m + " min";
    if (m < 48 * 60) return Math.floor(m / 60) + " h " + (m % 60) + " min";
    return Math.floor(m / 1440) + " d " + Math.floor((m % 1440) / 60) + " h";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) return;
      if (due <= now) {
        el.classList.add("clock-overdue");
      }
      if (el.hasAttribute("data-business")) return;
      var left = el.querySelector("[data-left]");
      if (left) left.textContent = inWord[0] + span(due - now) + inWord[1];
    });
  }
  tick();
  setInterval(tick, 1000);
})();
