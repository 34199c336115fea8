// The test page: saves each answer as it is given (retrying while the network is down),
// keeps the palette current and counts down to the server's deadline. At zero the server
// already holds every saved answer and closes the paper itself: the page finishes its
// saves, says 时间到 and, after a random pause (so that a whole session's pages do not
// ask in the same second), goes to the result page, which waits for the score.
(function () {
  "use strict";
  var root = document.getElementById("attempt");
  if (!root) return;
  var answerUrl = root.dataset.answerUrl;
  var csrf = root.dataset.csrf;
  var form = document.getElementById("paper");
  var saveState = document.getElementById("save-state");
  var deadline = Date.parse(root.dataset.deadline);
  var skew = Date.parse(root.dataset.now) - Date.now();
  var pending = {};      // position -> payload not yet acknowledged
  var changedAt = {};    // position -> when the answer was last changed here (server clock, ms)
  var inFlight = false;
  var retryDelay = 1000;
  var submitting = false;

  function fieldsetOf(el) { return el.closest("fieldset.question"); }

  // Each question type's script (question-types.js) reads its own response.
  function responseOf(fs) {
    return window.questionTypes[fs.dataset.type].read(fs);
  }

  function setState(text, cls) {
    saveState.textContent = text;
    saveState.className = "save-state " + (cls || "");
  }

  function paletteLink(position) {
    return document.querySelector('.palette a[data-position="' + position + '"]');
  }

  function queue(fs, includeResponse) {
    var position = Number(fs.dataset.position);
    // A new payload each time: one already sent must not change under its request, or
    // its success would mark this newer change as saved too.
    var previous = pending[position];
    var payload = { position: position };
    if (previous && "response" in previous) {
      payload.response = previous.response;
      payload.changed_at = previous.changed_at;
    }
    if (includeResponse) {
      payload.response = responseOf(fs);
      payload.changed_at = changedAt[position] = Math.round(Date.now() + skew);
    }
    payload.flagged = fs.querySelector(".flag-box").checked;
    pending[position] = payload;
    var link = paletteLink(position);
    if (includeResponse) {
      link.classList.toggle("answered", payload.response !== null);
      document.getElementById("answered-count").textContent = document.querySelectorAll(".palette a.answered").length;
    }
    link.classList.toggle("flagged", payload.flagged);
    fs.querySelector(".item-state").textContent = "保存中…";
    flush();
  }

  function flush() {
    if (inFlight) return;
    var positions = Object.keys(pending);
    if (positions.length === 0) { setState("全部答案已保存", "ok"); return; }
    var payload = pending[positions[0]];
    inFlight = true;
    setState("保存中…");
    fetch(answerUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) { return { status: r.status, body: body }; });
    }).then(function (res) {
      inFlight = false;
      var fs = document.querySelector('fieldset.question[data-position="' + payload.position + '"]');
      if (res.status === 200) {
        if (pending[payload.position] === payload) delete pending[payload.position];
        fs.querySelector(".item-state").textContent = "已保存";
        retryDelay = 1000;
        flush();
      } else if (res.status === 409 || res.status === 403 || res.status === 404) {
        setState(res.body.error || "本次作答已结束", "error");
        window.location.reload();
      } else if (res.status === 400) {
        delete pending[payload.position];
        fs.querySelector(".item-state").textContent = res.body.error || "答案格式不正确";
        flush();
      } else {
        retryLater();
      }
    }).catch(function () { inFlight = false; retryLater(); });
  }

  function retryLater() {
    setState("网络中断，答案尚未保存，正在重试…", "error");
    setTimeout(flush, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  form.addEventListener("change", function (e) {
    var fs = fieldsetOf(e.target);
    if (fs) queue(fs, !e.target.classList.contains("flag-box"));
  });
  var typing = {};
  form.addEventListener("input", function (e) {
    if (!e.target.classList.contains("blank")) return;
    var fs = fieldsetOf(e.target);
    clearTimeout(typing[fs.dataset.position]);
    typing[fs.dataset.position] = setTimeout(function () { queue(fs, true); }, 800);
  });
  window.addEventListener("online", flush);
  window.addEventListener("beforeunload", function (e) {
    if (!submitting && Object.keys(pending).length) { e.preventDefault(); e.returnValue = ""; }
  });

  form.addEventListener("submit", function (e) {
    if (submitting) return;
    var missing = Array.prototype.filter.call(document.querySelectorAll(".palette a"), function (a) {
      return !a.classList.contains("answered");
    }).map(function (a) { return a.textContent.trim(); });
    var flagged = Array.prototype.filter.call(document.querySelectorAll(".palette a.flagged"), function () { return true; })
      .map(function (a) { return a.textContent.trim(); });
    var message = "确定交卷吗？交卷后不能再修改答案。";
    if (missing.length) message = "还有 " + missing.length + " 题未作答（第 " + missing.join("、") + " 题）。\n" + message;
    if (flagged.length) message = "标记待复查的题：第 " + flagged.join("、") + " 题。\n" + message;
    if (!window.confirm(message)) { e.preventDefault(); return; }
    submitting = true;
    // Each answer's version: the server keeps an answer saved later from another tab.
    Object.keys(changedAt).forEach(function (position) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "changed" + position;
      field.value = changedAt[position];
      form.appendChild(field);
    });
  });

  if (window.matchMedia("(max-width: 600px)").matches) document.querySelector(".palette-box").open = false;

  function tick() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    document.getElementById("countdown").textContent =
      (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    root.classList.toggle("hurry", left <= 300);
    if (left === 0 && !submitting) {
      submitting = true;
      timeUp();
      return;
    }
    setTimeout(tick, 1000 - ((Date.now() + skew) % 1000));
  }
  function timeUp() {
    Array.prototype.forEach.call(form.querySelectorAll("fieldset"), function (f) { f.disabled = true; });
    document.getElementById("submit-button").disabled = true;
    document.getElementById("countdown").textContent = "时间到";
    var lastSave = Date.now() + Number(root.dataset.graceSeconds || 30) * 1000 * 0.8;
    (function waitForSaves() {
      if ((Object.keys(pending).length || inFlight) && Date.now() < lastSave) {
        setState("时间到，正在保存最后的答案…", "error");
        setTimeout(waitForSaves, 500);
        return;
      }
      setState("时间到，系统将按已保存的作答自动交卷", "error");
      setTimeout(function () { window.location.assign(root.dataset.resultUrl); }, Math.random() * 10000);
    })();
  }
  tick();
})();
