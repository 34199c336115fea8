// The test page of a candidate who entered before the open (exam/take.html, sealed): the
// questions are in the page, encrypted. At the attempt's start it asks for the key
// (data-key-url), decrypts them with WebCrypto, puts them in place and then runs the
// test page's own scripts (data-then), which find the paper as if it had been sent open.
//
// Asked too early (a slow clock, the open moved later), the server says how long to wait.
// Without WebCrypto (a page served over plain HTTP) or if decrypting fails, the page is
// reloaded at the start: from then on the server sends the paper open.
(function () {
  "use strict";
  var box = document.getElementById("sealed-paper");
  var root = document.getElementById("attempt");
  if (!box || !root) return;
  var shown = document.getElementById("sealed-countdown");
  var hint = document.getElementById("sealed-hint");
  // Shown with the questions: nothing to submit, page through or jump to before.
  var hidden = ["submit-button", "view-switch", "palette-toggle"].map(function (id) {
    return document.getElementById(id);
  });
  var then = document.currentScript.dataset.then.split(" ");
  // The server's clock, as the page was made; the device's own may be wrong.
  var skew = Date.parse(root.dataset.now) - Date.now();
  var startsAt = Date.parse(box.dataset.startsAt);
  var retryDelay = 1000;

  function serverNow() { return Date.now() + skew; }

  function bytes(base64) {
    var text = atob(base64);
    var out = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  // A quarter-second tick rather than one long timer: a device that slept, or a hidden
  // tab the browser slowed, asks as soon as it runs again (and on coming back to the tab).
  var asked = false;
  var tick = null;
  function countdown() {
    clearTimeout(tick);
    if (asked) return;
    var left = Math.ceil((startsAt - serverNow()) / 1000);
    if (left <= 0) {
      asked = true;
      ask();
      return;
    }
    var minutes = Math.floor(left / 60);
    shown.textContent = "距开考还有 " + (minutes ? minutes + " 分 " : "") + (left % 60) + " 秒";
    tick = setTimeout(countdown, 250);
  }
  document.addEventListener("visibilitychange", countdown);

  function runPageScripts() {
    then.forEach(function (src) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false;  // in their order, as the open page lists them
      document.body.appendChild(script);
    });
  }

  function open(answer) {
    if (!window.crypto || !window.crypto.subtle) { location.reload(); return; }
    var sealed = bytes(box.dataset.paper);
    crypto.subtle.importKey("raw", bytes(answer.key), "AES-GCM", false, ["decrypt"])
      .then(function (key) {
        return crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.slice(0, 12) }, key, sealed.slice(12));
      })
      .then(function (plain) {
        root.dataset.deadline = answer.deadline;
        root.dataset.now = answer.now;
        box.outerHTML = new TextDecoder().decode(plain);
        hidden.forEach(function (el) { if (el) el.hidden = false; });
        runPageScripts();
      })
      .catch(function () { location.reload(); });
  }

  function askLater(seconds) {
    setTimeout(ask, seconds * 1000 + Math.random() * 500);
  }

  function ask() {
    shown.textContent = "正在显示试卷……";
    fetch(box.dataset.keyUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          if (r.status === 200 && body.key) return open(body);
          if (r.status === 425) {  // asked early: count down again to the start it says
            startsAt = serverNow() + body.wait_seconds * 1000 + Math.random() * 500;
            asked = false;
            return countdown();
          }
          if (r.status === 404) return location.reload();
          throw new Error("retry");
        });
      })
      .catch(function () {
        shown.textContent = "网络不畅，正在重试……";
        hint.textContent = "请不要关闭本页，试题出现后即可作答。";
        askLater(retryDelay / 1000);
        retryDelay = Math.min(retryDelay * 2, 15000);
      });
  }

  countdown();
})();
