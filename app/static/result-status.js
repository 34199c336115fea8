// The result page while the paper is scored: ask the small status endpoint, with a
// growing delay and jitter so that a whole session's pages don't ask in the same second,
// and show the result once it is there. A page opened at the timer's zero, while the
// server still accepts the last answers (data-wait-seconds), asks only after that wait:
// a whole session opens it in the same seconds, and an earlier answer would be "wait".
// The result of a pass asks the same way while its certificates are issued: the box's
// data-ready-when names the field of the answer that ends the wait.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url][data-ready-when]");
  if (!box) return;
  var readyWhen = box.dataset.readyWhen;
  var delay = 1000;

  function jittered(ms) { return ms / 2 + Math.random() * ms; }

  function ask() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (body) {
        if (body[readyWhen]) { window.location.replace(box.dataset.resultUrl); return; }
        var wait = Math.max(delay, (body.wait_seconds || 0) * 1000);
        delay = Math.min(delay * 2, 15000);
        setTimeout(ask, jittered(wait));
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        setTimeout(ask, jittered(delay));
      });
  }
  setTimeout(ask, jittered(Math.max(delay, Number(box.dataset.waitSeconds || 0) * 1000)));
})();
