/* A signature pad for the 代办 custody log (servicedesk/_signature_pad.html): sign with a
   finger, a stylus or a mouse in a <canvas>; each stroke writes the drawing as a PNG data URL
   into the form's hidden field, which the service checks and stores encrypted. No inline
   script (the Content-Security-Policy forbids it): the pad is found by its data- attributes.
   Without JavaScript the pad stays hidden and the photo of a signed sheet is the way. */
(function () {
  "use strict";

  function setUp(pad) {
    if (pad.dataset.ready) return;
    pad.dataset.ready = "1";
    var canvas = pad.querySelector("[data-signature-canvas]");
    var field = pad.querySelector("[data-signature-value]");
    var clear = pad.querySelector("[data-signature-clear]");
    if (!canvas || !field || !canvas.getContext) return;
    var context = canvas.getContext("2d");
    var drawing = false;
    var last = null;

    function blank() {
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.strokeStyle = "#000";
      context.lineWidth = 3;
      context.lineCap = "round";
      context.lineJoin = "round";
    }

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      last = point(event);
      canvas.setPointerCapture(event.pointerId);
      context.beginPath();
      context.arc(last.x, last.y, 1.5, 0, 2 * Math.PI);
      context.fill();
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var next = point(event);
      context.beginPath();
      context.moveTo(last.x, last.y);
      context.lineTo(next.x, next.y);
      context.stroke();
      last = next;
      event.preventDefault();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      field.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("pointerleave", end);
    if (clear) {
      clear.addEventListener("click", function () {
        blank();
        field.value = "";
      });
    }

    blank();
    // A form shown again after a refusal keeps what was signed.
    if (field.value.indexOf("data:image/png;base64,") === 0) {
      var image = new Image();
      image.onload = function () { context.drawImage(image, 0, 0, canvas.width, canvas.height); };
      image.src = field.value;
    }
    pad.hidden = false;
  }

  function setUpAll(root) {
    var pads = (root || document).querySelectorAll("[data-signature-pad]");
    for (var i = 0; i < pads.length; i++) setUp(pads[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  } else {
    setUpAll(document);
  }
})();
