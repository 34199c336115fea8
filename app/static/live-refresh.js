// The live view of a session: every N seconds (data-live-refresh) fetch the same page and
// swap in its live part, while the tab is visible; the 刷新 link does the same without
// script. A failed fetch leaves the last figures up and says so.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live) return;
  var seconds = parseInt(live.dataset.liveRefresh, 10) || 15;
  var busy = false;

  function showAuto(text) {
    var note = live.querySelector(".live-auto");
    if (note) { note.hidden = false; if (text) note.textContent = text; }
  }

  function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("live");
        if (!fresh) throw new Error("no live part");
        live.innerHTML = fresh.innerHTML;
        showAuto();
      })
      .catch(function () { showAuto("自动刷新失败，将继续重试；也可点“刷新”。"); })
      .then(function () { busy = false; });
  }

  showAuto();
  setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
