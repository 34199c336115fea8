// The sitting's start page (exam/start.html): before the open, count down to it (进入考场
// is there already: the paper comes sealed and opens at the start, sealed-paper.js) and
// say at the open that the test has begun, without a reload; disable the button at the close.
//
// The time left comes from the server's clock (data-opens-in / data-closes-in: seconds
// left when the page was rendered), counted from the moment the page's first byte came
// (after the render, so the button is never enabled before the server's open) on the
// page's monotonic clock. The device's own clock may be wrong, so its time is never read;
// only how far it moved, in case the monotonic clock stood still while the device slept.
(function () {
  "use strict";
  var form = document.getElementById("start-form");
  if (!form) return;
  var button = form.querySelector("[type=submit]");
  var shown = document.getElementById("open-countdown");
  var spoken = document.getElementById("open-countdown-status");
  var hint = document.getElementById("open-countdown-hint");
  var opensAt = parseFloat(form.dataset.opensIn) * 1000;
  var closesAt = parseFloat(form.dataset.closesIn) * 1000;
  // Announced (politely) as these are passed, in seconds left: not every second.
  var milestones = [3000, 2400, 1800, 1200, 600, 300, 240, 180, 120, 60, 30, 10];

  var navigation = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
  var arrived = navigation && navigation.responseStart > 0 ? navigation.responseStart : performance.now();
  var wallArrived = Date.now() - (performance.now() - arrived);

  function elapsed() {
    return Math.max(performance.now() - arrived, Date.now() - wallArrived);
  }

  function words(seconds) {
    var minutes = Math.floor(seconds / 60);
    return (minutes ? minutes + " 分 " : "") + (seconds % 60) + " 秒";
  }

  function say(text) {
    if (spoken) spoken.textContent = text;
  }

  var lastLeft = null;
  var open = false;

  function tick() {
    var now = elapsed();
    if (now >= closesAt) {
      button.disabled = true;
      if (shown) {
        shown.textContent = "本场考试已结束";
        hint.textContent = "";
      }
      else form.insertAdjacentHTML("afterbegin", '<p class="flash" role="status">本场考试已结束。</p>');
      say("本场考试已结束。");
      return;
    }
    if (!open && now >= opensAt) {
      open = true;
      button.value = "开始答题";
      if (shown) {
        shown.textContent = "考试已开始";
        hint.textContent = "请点击页面下方的“开始答题”按钮。";
        say("考试已开始，现在可以点击“开始答题”。");
      }
    } else if (!open) {
      var left = Math.ceil((opensAt - now) / 1000);
      if (left !== lastLeft) {
        shown.lastElementChild.textContent = words(left);
        var passed = milestones.some(function (m) { return lastLeft !== null && lastLeft > m && left <= m; });
        if (passed) say("距开考还有 " + words(left));
        lastLeft = left;
      }
    }
    // Before the open, a quarter second keeps the display within it of the second (hidden
    // tabs are slowed by the browser, which the clocks above make up for); once open,
    // only the close is waited for.
    setTimeout(tick, open ? Math.max(250, Math.min(60000, closesAt - now)) : 250);
  }

  tick();
})();
