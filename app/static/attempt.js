// The test page: saves each answer as it is given (retrying while the network is down),
// keeps the palette current and counts down to the server's deadline. At zero the server
// already holds every saved answer and closes the paper itself: the page finishes its
// saves, says 时间到 and that the paper is being scored, and stays until the score is
// there (result-status.js), then shows the result. 交卷 is posted by the page, which then
// stays and waits the same way.
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
  var unsaved = window.unsavedAnswers(answerUrl);
  var pending = unsaved.load();  // position -> payload not yet acknowledged (kept across loads)
  // Reload once the queue is empty: answers left unsaved by this tab's last load were sent
  // again (the page then shows them as stored), or a save was refused for good.
  var reloadWhenSent = Object.keys(pending).length > 0;
  var leaving = false;
  var changedAt = {};    // position -> when the answer was last changed here (server clock, ms)
  var inFlight = false;
  var retryDelay = 1000;
  var submitting = false;
  var handedIn = false;  // the paper is closed: nothing more is saved or counted down

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

  // The palette says each state in words too, not by colour alone.
  function describe(link) {
    link.setAttribute("aria-label", "第 " + link.dataset.number + " 题，" +
      (link.classList.contains("answered") ? "已作答" : "未作答") +
      (link.classList.contains("flagged") ? "，已标记" : ""));
  }

  // The question the candidate is on is marked in the palette: aria-current (screen
  // readers say 当前), a ring and an underlined number for the eye (not colour alone). It follows
  // the keyboard focus, a palette jump and the one-question view (exam:current).
  function markCurrent(position) {
    var link = paletteLink(position);
    if (!link || link.hasAttribute("aria-current")) return;
    Array.prototype.forEach.call(document.querySelectorAll(".palette a[aria-current]"), function (a) {
      a.removeAttribute("aria-current");
    });
    link.setAttribute("aria-current", "true");
  }
  form.addEventListener("focusin", function (e) {
    var fs = fieldsetOf(e.target);
    if (fs) markCurrent(fs.dataset.position);
  });
  root.addEventListener("exam:current", function (e) { markCurrent(e.detail.position); });
  var shown = form.querySelector("fieldset.question.current") || form.querySelector("fieldset.question");
  if (shown) markCurrent(shown.dataset.position);

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
    unsaved.keep(pending);
    var link = paletteLink(position);
    if (includeResponse) {
      link.classList.toggle("answered", payload.response !== null);
      document.getElementById("answered-count").textContent = document.querySelectorAll(".palette a.answered").length;
    }
    link.classList.toggle("flagged", payload.flagged);
    describe(link);
    fs.querySelector(".item-state").textContent = "保存中…";
    flush();
  }

  function flush() {
    if (inFlight || leaving || handedIn) return;  // leaving: the page reloads; the store keeps the rest
    var positions = Object.keys(pending);
    if (positions.length === 0 && reloadWhenSent) {
      leaving = true;
      window.location.reload();
      return;
    }
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
      if (handedIn) return;  // the submit carried this answer too
      var fs = document.querySelector('fieldset.question[data-position="' + payload.position + '"]');
      if (res.status === 200) {
        // The crowd at this paper's zero, counted by the server (app.exam.zero_crowd).
        if (res.body.first_ask_spread !== undefined) root.dataset.firstAskSpread = res.body.first_ask_spread;
        if (pending[payload.position] === payload) delete pending[payload.position];
        unsaved.keep(pending);
        if (fs) fs.querySelector(".item-state").textContent = "已保存";
        retryDelay = 1000;
        flush();
      } else if (res.status === 401 && res.body.expired) {
        // The login or the page's token ended: every unsaved answer stays in the store, and
        // the page loaded again (through the login page if need be) sends them again.
        setState("登录已失效或页面已过期：本题答案尚未保存，正在重新载入页面；如需登录，登录后答案会自动保存。", "error");
        if (fs) fs.querySelector(".item-state").textContent = "尚未保存";
        leaving = true;
        setTimeout(function () { window.location.reload(); }, 3000);
      } else if (res.status === 409 || res.status === 403 || res.status === 404) {
        // This answer is refused for good (the test is over, or a newer answer was saved on
        // another page): the others are sent for their own verdicts, then the page reloads.
        if (pending[payload.position] === payload) delete pending[payload.position];
        unsaved.keep(pending);
        setState(res.body.error || "本次作答已结束", "error");
        reloadWhenSent = true;
        flush();
      } else if (res.status === 400) {
        delete pending[payload.position];
        unsaved.keep(pending);
        if (fs) fs.querySelector(".item-state").textContent = res.body.error || "答案格式不正确";
        flush();
      } else {
        retryLater();
      }
    }).catch(function () { inFlight = false; if (!handedIn) retryLater(); });
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
    typing[fs.dataset.position] = setTimeout(function () {
      delete typing[fs.dataset.position];
      queue(fs, true);
    }, 800);
  });
  window.addEventListener("online", flush);

  // Changing the text size reloads the page: first the answer being typed is queued and
  // every answer saved, then the size changes; while a save is outstanding the page says so.
  var textSizeForm = document.querySelector("form.text-size");
  var sizeWanted = null;
  function saveTyping() {
    Object.keys(typing).forEach(function (position) {
      clearTimeout(typing[position]);
      delete typing[position];
      queue(document.querySelector('fieldset.question[data-position="' + position + '"]'), true);
    });
  }
  function changeSizeWhenSaved() {
    if (sizeWanted === null) return;
    if (Object.keys(pending).length || inFlight) {
      var offline = saveState.classList.contains("error");
      setState(offline ? "网络中断，答案尚未保存；保存后再切换字号…" : "正在保存答案，保存后再切换字号…",
        offline ? "error" : "");
      setTimeout(changeSizeWhenSaved, 200);
      return;
    }
    var button = sizeWanted;
    sizeWanted = null;
    textSizeForm.requestSubmit(button);
  }
  if (textSizeForm) {
    textSizeForm.addEventListener("submit", function (e) {
      saveTyping();
      if (!Object.keys(pending).length && !inFlight) return;
      e.preventDefault();
      sizeWanted = e.submitter;
      changeSizeWhenSaved();
    });
  }
  window.addEventListener("beforeunload", function (e) {
    if (!submitting && !leaving && Object.keys(pending).length) { e.preventDefault(); e.returnValue = ""; }
  });

  // Enter in an answer field never submits the test (a fill-in blank once opened the
  // confirmation with OK preselected, so a second Enter handed the paper in).
  form.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button") e.preventDefault();
  });

  form.addEventListener("click", function (e) {
    var clear = e.target.closest(".clear-choice");
    if (!clear) return;
    var fs = fieldsetOf(clear);
    Array.prototype.forEach.call(fs.querySelectorAll("input[name]:checked"), function (i) { i.checked = false; });
    queue(fs, true);
  });

  // The confirmation is a dialog of the page's own: 继续答题 comes first and has the focus,
  // so Enter or Escape there keeps the candidate answering.
  var dialog = document.getElementById("submit-dialog");
  var confirmed = false;
  document.getElementById("keep-answering").addEventListener("click", function () { dialog.close(); });
  document.getElementById("confirm-submit").addEventListener("click", function () {
    confirmed = true;
    dialog.close();
    form.requestSubmit();
  });
  form.addEventListener("submit", function (e) {
    if (submitting) return;
    if (!confirmed) {
      e.preventDefault();
      var links = Array.prototype.slice.call(document.querySelectorAll(".palette a"));
      var missing = links.filter(function (a) { return !a.classList.contains("answered"); })
        .map(function (a) { return a.dataset.number; });
      var flagged = links.filter(function (a) { return a.classList.contains("flagged"); })
        .map(function (a) { return a.dataset.number; });
      var lines = [];
      if (flagged.length) lines.push("标记待复查的题：第 " + flagged.join("、") + " 题。");
      if (missing.length) lines.push("还有 " + missing.length + " 题未作答（第 " + missing.join("、") + " 题）。");
      lines.push("交卷后不能再修改答案。");
      document.getElementById("submit-dialog-message").textContent = lines.join("\n");
      dialog.showModal();
      document.getElementById("keep-answering").focus();
      return;
    }
    submitting = true;
    // Each answer's version: the server keeps an answer saved later from another tab.
    Object.keys(changedAt).forEach(function (position) {
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "changed" + position;
      field.value = changedAt[position];
      form.appendChild(field);
    });
    if (!window.fetch || !window.URLSearchParams) return;  // the form's own post
    e.preventDefault();
    handIn(new URLSearchParams(new FormData(form)));
  });

  // 交卷 posted by the page, which stays and says the paper is being scored, as at zero:
  // a session's early submitters, in its busiest minute, load no page saying "wait". A
  // network failure is retried as a save is; anything but "submitted" (the login ended,
  // a stale page) goes the form's own way, through the login page and back if need be.
  function handIn(data) {
    var delay = 1000;
    freeze(true);  // what is posted is what the page shows: no change after the press
    setState("正在交卷…");
    (function post() {
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        body: data
      }).then(function (r) {
        if (r.status >= 500) throw new Error("HTTP " + r.status);
        return r.json().catch(function () { return {}; });
      }).then(function (body) {
        if (!body.submitted) { freeze(false); form.submit(); return; }  // disabled fields post nothing
        handedIn = true;
        unsaved.keep({});  // the submit carried every answer the page holds
        closePaper("已交卷");
        setState("试卷已交", "ok");
        scoringBox.dispatchEvent(new CustomEvent("exam:paper-closed", {
          bubbles: true, detail: { waitSeconds: body.wait_seconds || 0, words: "wordsHandedIn" } }));
      }).catch(function () {
        setState("网络中断，试卷尚未交出，正在重试…", "error");
        setTimeout(post, delay);
        delay = Math.min(delay * 2, 15000);
      });
    })();
  }

  // The palette: on a desktop a sticky side column, on a phone a drawer opened from the bar.
  // Choosing a question moves the keyboard focus to it, below the sticky bar.
  var bar = document.querySelector(".exam-bar");
  var box = document.getElementById("palette-box");
  var toggle = document.getElementById("palette-toggle");
  function measureBar() {
    document.documentElement.style.setProperty("--exam-bar-height", bar.offsetHeight + "px");
  }
  measureBar();
  window.addEventListener("resize", measureBar);
  function setDrawer(open) {
    box.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
  }
  toggle.addEventListener("click", function () {
    setDrawer(!box.classList.contains("open"));
    if (box.classList.contains("open")) box.querySelector(".palette a").focus();
  });
  box.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && box.classList.contains("open")) { setDrawer(false); toggle.focus(); }
  });
  document.querySelector(".palette").addEventListener("click", function (e) {
    var link = e.target.closest("a");
    if (!link) return;
    e.preventDefault();
    setDrawer(false);
    var fs = document.getElementById(link.getAttribute("href").slice(1));
    fs.focus({ preventScroll: true });
    fs.scrollIntoView({ block: "start" });
  });

  // Warnings at 5 minutes and at 1 minute left, shown and announced (aria-live="assertive").
  var warning = document.getElementById("time-warning");
  var warned = 0;
  function warn(left) {
    var level = left <= 60 ? 2 : left <= 300 ? 1 : 0;
    if (level <= warned || left === 0) return;
    warned = level;
    warning.textContent = level === 2 ? "距离结束不到 1 分钟，请尽快检查答案。" : "距离结束不到 5 分钟，请抓紧作答。";
    warning.classList.add("shown");
  }

  // Leaving the page (another tab, another window) is recorded with the attempt for the
  // admins (记录切屏); one record per departure, however the browser reports it.
  var away = false;
  function departed(kind) {
    if (away || submitting) return;
    away = true;
    fetch(root.dataset.focusUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ kind: kind })
    }).then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (body) { if (body.departures) leaveWarning(body.departures); })
      .catch(function () {});
  }
  // An exam with a limit (切屏次数上限) tells the candidate how often they have left, on
  // their return: past the limit the attempt is flagged for the admins, never submitted.
  var leaveLimit = parseInt(root.dataset.leaveLimit, 10) || 0;
  function leaveWarning(count) {
    if (!leaveLimit) return;
    var box = document.getElementById("leave-warning");
    box.textContent = "已离开答题页面 " + count + " 次，" + (count > leaveLimit
      ? "已超过上限 " + leaveLimit + " 次，本次作答已标记给管理员查看。请留在本页作答。"
      : "超过 " + leaveLimit + " 次将标记给管理员查看。请留在本页作答。");
    box.classList.add("shown");
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") departed("hidden"); else away = false;
  });
  window.addEventListener("blur", function () { departed("blur"); });
  window.addEventListener("focus", function () { away = false; });

  function tick() {
    if (handedIn) return;
    var left = Math.max(0, Math.floor((deadline - (Date.now() + skew)) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
    document.getElementById("countdown").textContent =
      (h ? h + ":" : "") + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    root.classList.toggle("hurry", left <= 300);
    warn(left);
    if (left === 0 && !submitting) {
      submitting = true;
      timeUp();
      return;
    }
    setTimeout(tick, 1000 - ((Date.now() + skew) % 1000));
  }
  // At zero the page stays and says the paper is being scored: result-status.js shows its
  // box and asks for the score once the server has closed the paper (the grace left).
  // Before, every page of a session went to the result page within 10 s of zero:
  // thousands of requests in the same seconds for a page saying "wait".
  var scoringBox = document.getElementById("scoring-box");
  function freeze(disabled) {
    Array.prototype.forEach.call(form.querySelectorAll("fieldset"), function (f) { f.disabled = disabled; });
    document.getElementById("submit-button").disabled = disabled;
  }
  function closePaper(words) {
    freeze(true);
    document.getElementById("countdown").textContent = words;
    if (dialog.open) dialog.close();
    setDrawer(false);
  }
  function timeUp() {
    closePaper("时间到");
    var graceEnds = deadline + Number(root.dataset.graceSeconds || 30) * 1000;
    var lastSave = Date.now() + (graceEnds - deadline) * 0.8;
    (function waitForSaves() {
      if ((Object.keys(pending).length || inFlight) && Date.now() < lastSave) {
        setState("时间到，正在保存最后的答案…", "error");
        setTimeout(waitForSaves, 500);
        return;
      }
      if (Object.keys(pending).length || inFlight) setState("时间到，仍有答案未能确认保存", "error");
      else setState("全部答案已保存", "ok");
      var graceLeft = Math.max(0, (graceEnds - (Date.now() + skew)) / 1000);
      // The first ask spread past the grace over the crowd's spread (app.exam.waits).
      var spread = Number(root.dataset.firstAskSpread || 0);
      scoringBox.dispatchEvent(new CustomEvent("exam:paper-closed", { bubbles: true,
        detail: { waitSeconds: graceLeft, waitIsFloor: true, spreadSeconds: spread } }));
    })();
  }
  if (reloadWhenSent) { setState("正在重新保存上次未能确认保存的答案…"); flush(); }
  tick();
})();
