/* Admin pages: small enhancements over server-rendered forms (no inline scripts). */
(function () {
  "use strict";
  // A form or button with data-confirm asks before it submits.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var button = ev.submitter;
    var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) ev.preventDefault();
  });
  // Copy buttons: data-copy="<id of the element whose text is copied>".
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-copy]");
    if (!btn) return;
    var el = document.getElementById(btn.getAttribute("data-copy"));
    if (el && navigator.clipboard) {
      navigator.clipboard.writeText(el.textContent.trim()).then(function () {
        btn.setAttribute("data-copied", "1");
        btn.textContent = btn.getAttribute("data-copied-label") || btn.textContent;
      });
    }
  });
})();
