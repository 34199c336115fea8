// The answers a test page has not had acknowledged, kept in this tab's sessionStorage
// under the page's answer URL, so that none is lost when the page must be loaded again:
// a save refused because the login ended (logged out on another device, a password
// reset) goes through the login page and back, and a page whose token went stale is
// reloaded; the page loaded again sends them again (attempt.js), each with the time it
// was changed, so a newer answer given elsewhere is never overwritten. Only this tab
// sees them; an acknowledged answer leaves the store at once.
window.unsavedAnswers = function (key) {
  "use strict";
  return {
    load: function () {
      try { return JSON.parse(window.sessionStorage.getItem(key)) || {}; } catch (e) { return {}; }
    },
    keep: function (pending) {
      try {
        if (Object.keys(pending).length) window.sessionStorage.setItem(key, JSON.stringify(pending));
        else window.sessionStorage.removeItem(key);
      } catch (e) { /* storage off or full: the page still holds them while it is open */ }
    }
  };
};
