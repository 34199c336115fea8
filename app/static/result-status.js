// A page waiting for the score: ask the small status endpoint, with a growing delay and
// jitter so that a whole session's pages don't ask in the same second, and show the result
// once it is there. A page at the timer's zero, while the server still accepts the last
// answers (data-wait-seconds), asks only after that wait: a whole session is there in the
// same seconds, and an earlier answer would be "wait".
// Each box with data-status-url and data-ready-when waits: the result page's while the
// paper is scored (data-ready-when="scored"; the answer then carries the result, shown in
// place) or while a pass's certificates are issued
// ("certificates_ready": the field of the answer that ends the wait; that answer carries
// the certificates, and the box is filled in place). A box with
// data-starts-on waits from that event on: the test page's, at the timer's zero
// (attempt.js sets its data-wait-seconds then), or once 交卷 is posted, so the page stays
// instead of a whole session loading the result page in the same second.
(function () {
  "use strict";

  // Spread over half the wait, mostly after it: a page coming back well before the wait
  // it was told is told to wait again (bench/bench_polls.py: 13-16 % fewer polls than
  // × 0.5-1.5, and every score and certificate seen sooner).
  function jittered(ms) { return ms * (0.85 + Math.random() * 0.5); }
  // A wait the server cannot beat is never asked before: the grace at the timer's zero
  // (the server closes the paper at its end). Spread after it over as long again, or over
  // the crowd's spread if longer (the page's data-first-ask-spread, app.exam.waits): the
  // whole session asks then, while the server closes the papers and scores the first.
  // At 0.85-1.35 up to 15 % of the first polls came before that end, each told to wait
  // again; at 1-1.5 the rest came in its 15 s after, ~470 a second at 7,000 papers, and
  // every request then waited up to 9 s (bench/RESULTS.md, session 17).
  function afterFloor(ms, spreadMs) { return ms + Math.random() * Math.max(ms, spreadMs); }

  function waitForResult(box) {
    var readyWhen = box.dataset.readyWhen;
    var delay = 1000;

    function ask() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) {
          // The login ended meanwhile: through the login page and back to this page.
          if (r.status === 401) { window.location.reload(); return { reloading: true }; }
          return r.ok ? r.json() : {};
        })
        .then(function (body) {
          if (body.reloading) return;
          if (body[readyWhen]) {
            // The certificates come with the answer: only the box changes, so only the box
            // is filled (a whole session's second result page was the web's largest cost).
            if (readyWhen === "certificates_ready" && Array.isArray(body.certificates)) {
              fill(box, body.certificates);
            } else if (typeof body.result_html === "string" && canShowInPlace()) {
              showResult(box, body.result_html);
            } else {
              window.location.replace(box.dataset.resultUrl);
            }
            return;
          }
          var wait = Math.max(delay, (body.wait_seconds || 0) * 1000);
          delay = Math.min(delay * 2, 15000);
          setTimeout(ask, jittered(wait));
        })
        .catch(function () {
          delay = Math.min(delay * 2, 15000);
          setTimeout(ask, jittered(delay));
        });
    }
    var first = Math.max(delay, Number(box.dataset.waitSeconds || 0) * 1000);
    var spread = Number(box.dataset.spreadSeconds || 0) * 1000;
    setTimeout(ask, box.dataset.waitIsFloor ? afterFloor(first, spread) : jittered(first));
  }

  // The certificate box as the server renders it once they are ready (the same classes,
  // built from text, never from markup), in place of its "being made" line: the box is a
  // live region, so screen readers say it. It then waits no more, as a reloaded box.
  function fill(box, certificates) {
    var lines = certificates.map(function (c) {
      var line = document.createElement("p");
      line.className = "flash flash-success";
      line.appendChild(document.createTextNode(c.text + " "));
      if (c.download_url) {
        var link = document.createElement("a");
        link.href = c.download_url;
        link.textContent = c.download_words;
        line.appendChild(link);
      } else {
        line.appendChild(document.createTextNode(c.note || ""));
      }
      return line;
    });
    box.replaceChildren.apply(box, lines);
    ["id", "data-status-url", "data-result-url", "data-wait-seconds", "data-ready-when"].forEach(
      function (name) { box.removeAttribute(name); }
    );
  }

  // The score come, its answer carries the result's section (asked with ?result=1): shown
  // in place of what waited (the test page's paper, data-shows-result-in, or the scoring
  // box itself) at the result page's address, as a reload would show it, its heading
  // focused so that screen readers read it; its certificate box, if any, waits on. At a
  // close, loading the result page instead was a request more for every candidate in the
  // web's busiest seconds. An older browser loads the result page instead.
  function canShowInPlace() {
    return "content" in document.createElement("template") && !!Element.prototype.replaceWith;
  }
  function showResult(box, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var section = template.content.firstElementChild;
    var waited = document.getElementById(box.dataset.showsResultIn || "") || box;
    waited.replaceWith(section);
    giveBackTheHomeLink();
    document.title = document.title.replace(/^[^·]*/, section.dataset.title + " ");
    if (window.history.replaceState) window.history.replaceState(null, "", box.dataset.resultUrl);
    var heading = section.querySelector("h1");
    if (heading) heading.focus();
    watch(section);
  }

  // The test page's header links nowhere while the test runs; with the result shown in its
  // place, its brand is the home link again, as on every other page (the home page has
  // the rest: practice, the notebook, the certificates).
  function giveBackTheHomeLink() {
    var brand = document.querySelector("span.brand[data-home-url]");
    if (!brand) return;
    var home = document.createElement("a");
    home.className = "brand";
    home.href = brand.dataset.homeUrl;
    home.textContent = brand.textContent;
    brand.replaceWith(home);
  }

  // A box waiting from an event on is shown then: its hidden parts, its live region's
  // words (data-words, or the data attribute the event names: the region is in the page,
  // empty, from the start, so that screen readers say the words when they come) and the
  // wait it is given (event.detail; ``waitIsFloor``: the server cannot answer sooner).
  function show(box, detail) {
    box.dataset.waitSeconds = detail.waitSeconds || 0;
    if (detail.waitIsFloor) box.dataset.waitIsFloor = "1";
    if (detail.spreadSeconds) box.dataset.spreadSeconds = detail.spreadSeconds;
    box.classList.add("shown");
    Array.prototype.forEach.call(box.querySelectorAll("[hidden]"), function (el) { el.hidden = false; });
    Array.prototype.forEach.call(box.querySelectorAll("[data-words]"), function (el) {
      el.textContent = el.dataset[detail.words || "words"] || el.dataset.words;
    });
    box.scrollIntoView({ block: "start" });
  }

  function watch(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-status-url][data-ready-when]"), function (box) {
      if (!box.dataset.startsOn) { waitForResult(box); return; }
      box.addEventListener(box.dataset.startsOn, function (e) {
        show(box, e.detail || {});
        waitForResult(box);
      }, { once: true });
    });
  }
  watch(document);
})();
