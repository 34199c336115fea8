// The test page one question at a time (上一题 / 下一题), an alternative to the whole
// paper; the choice is remembered in this browser. A palette jump shows its question
// first (capture phase: before attempt.js moves the focus to it).
(function () {
  "use strict";
  var root = document.getElementById("attempt");
  if (!root) return;
  var toggle = document.getElementById("view-toggle");
  var questions = Array.prototype.slice.call(document.querySelectorAll("#paper fieldset.question"));
  var where = document.getElementById("step-where");
  var current = 0;
  var KEY = "exam.oneByOne";

  function show(index, focus) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach(function (fs, i) { fs.classList.toggle("current", i === current); });
    Array.prototype.forEach.call(document.querySelectorAll("#paper section"), function (section) {
      section.classList.toggle("current", section.contains(questions[current]));
    });
    where.textContent = "第 " + (current + 1) + " / " + questions.length + " 题";
    root.dispatchEvent(new CustomEvent("exam:current", { detail: { position: questions[current].dataset.position } }));
    document.getElementById("step-prev").disabled = current === 0;
    document.getElementById("step-next").disabled = current === questions.length - 1;
    if (focus) {
      questions[current].focus({ preventScroll: true });
      questions[current].scrollIntoView({ block: "start" });
    }
  }

  function setMode(on) {
    root.classList.toggle("one-by-one", on);
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = on ? "显示整卷" : "逐题作答（一次显示一题）";
    try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode */ }
    if (on) show(current, false);
  }

  toggle.addEventListener("click", function () { setMode(!root.classList.contains("one-by-one")); });
  document.getElementById("step-prev").addEventListener("click", function () { show(current - 1, true); });
  document.getElementById("step-next").addEventListener("click", function () { show(current + 1, true); });
  document.addEventListener("click", function (e) {
    var link = e.target.closest(".palette a");
    if (!link || !root.classList.contains("one-by-one")) return;
    show(questions.indexOf(document.getElementById(link.getAttribute("href").slice(1))), false);
  }, true);

  var remembered = null;
  try { remembered = window.localStorage.getItem(KEY); } catch (e) { /* private mode */ }
  setMode(remembered === "1");
})();
