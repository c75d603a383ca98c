/* Linli's few behaviours in the browser. The Content-Security-Policy allows no inline script
   or event handler, so templates mark elements with data- attributes and this file, loaded
   from the site itself, wires them up.

   data-print   a click prints the page (the print views of cards, minutes and reports). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
})();
