/* Linli's few behaviours in the browser. The Content-Security-Policy allows no inline script
   or event handler, so templates mark elements with data- attributes and this file, loaded
   from the site itself, wires them up.

   data-print   a click prints the page (the print views of cards, minutes and reports).
   data-copy    a click copies the text of the element of that id (a long private link) and
                says so on the button (data-copied) for a moment.
   data-no-submit  Enter in this field does not send its form (a place picker's search box,
                which searches as one types). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    var source = button ? document.getElementById(button.getAttribute("data-copy")) : null;
    if (!source) {
      return;
    }
    event.preventDefault();
    var text = source.textContent.trim();
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    // Select it in any case, so that a phone without the clipboard API can copy by hand.
    selectText(source);
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
  document.addEventListener("keydown", function (event) {
    var field = event.target instanceof Element ? event.target.closest("[data-no-submit]") : null;
    if (field && event.key === "Enter") {
      event.preventDefault();
    }
  });
})();
