// The start (the POST of 开始答题) answers with the test page itself, so that at the open a
// candidate waits in the server's queue once, not for a redirect and then the page; the
// address bar still shows the start's address then. The page's own address replaces it,
// so that a reload or a bookmark gets the test page by GET and never sends the start again.
(function () {
  "use strict";
  var root = document.getElementById("attempt");
  var address = root && root.dataset.pageUrl;
  if (address && window.location.pathname !== address) {
    window.history.replaceState(window.history.state, "", address);
  }
})();
