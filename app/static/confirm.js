// Confirmation dialogs and print buttons without inline handlers (the CSP forbids them).
// A form with data-confirm="…" asks before it is submitted; the text is read as data,
// never run as code. A button with data-print prints the page.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    window.print();
  }
});
