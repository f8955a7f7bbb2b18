// Rebook's small layer over htmx: open fragments that are <dialog data-modal> as real modals,
// close them on Escape / "Keep booking", give focus back, and count note characters.
(function () {
  "use strict";
  var opener = null;

  function openModals(root) {
    var dialogs = root.matches && root.matches("dialog[data-modal]") ? [root]
      : root.querySelectorAll ? root.querySelectorAll("dialog[data-modal]") : [];
    Array.prototype.forEach.call(dialogs, function (dialog) {
      if (!dialog.open) dialog.showModal(); // native modal: the page behind is inert, Escape closes
      var first = dialog.querySelector("[autofocus]") ||
        dialog.querySelector("textarea, select, input:not([type=hidden]), button, a[href]");
      if (first) first.focus();
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    // A status <form> opens the modal on "change": give focus back to its <select>.
    if (target && target.id === "modal-root") {
      opener = event.detail.elt;
      if (opener.tagName === "FORM") opener = opener.querySelector("select") || opener;
    }
  });

  // A day picked on the reschedule week strip: the date box says that day too, and focus
  // stays on the strip (the link that had it was just replaced).
  function followStrip(root) {
    if (!root.matches || !root.matches("fieldset.times")) return;
    var day = root.querySelector("input[name=date]");
    var box = document.getElementById("reschedule-date");
    if (day && box) box.value = day.value;
    var picked = root.querySelector(".week-strip [aria-current]");
    if (picked && document.activeElement === document.body) picked.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    htmx.onLoad(openModals);
    htmx.onLoad(followStrip);
  });

  // "close" does not bubble: listen in the capture phase.
  document.addEventListener("close", function (event) {
    var dialog = event.target;
    if (!(dialog instanceof HTMLDialogElement) || !dialog.hasAttribute("data-modal")) return;
    dialog.remove();
    // A status step closed without acting: the select goes back to "(current)", so it never
    // shows a status the booking doesn't have.
    if (opener && opener.tagName === "SELECT" && opener.closest(".edit-status")) {
      opener.selectedIndex = 0;
    }
    if (opener && document.body.contains(opener)) opener.focus();
    opener = null;
  }, true);

  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-modal]");
    var dialog = closer && closer.closest("dialog");
    if (dialog) {
      event.preventDefault(); // without JavaScript it is a plain link back to the booking
      dialog.close();
    }
  });

  // Tab and Shift+Tab wrap around inside an open modal (the WAI-ARIA dialog pattern) instead
  // of leaving it for the browser's toolbar.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
    var dialog = event.target.closest && event.target.closest("dialog[data-modal][open]");
    if (!dialog) return;
    var items = Array.prototype.filter.call(dialog.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]"), function (el) {
      return !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0;
    });
    if (!items.length) return;
    var edge = event.shiftKey ? items[0] : items[items.length - 1];
    if (document.activeElement === edge) {
      event.preventDefault();
      (event.shiftKey ? items[items.length - 1] : items[0]).focus();
    }
  });

  // After a change the card is new: close the modal and put focus on the card's heading.
  function settle() {
    opener = null;
    document.querySelectorAll("dialog[data-modal]").forEach(function (d) { d.close(); });
    var heading = document.querySelector("[data-focus-after-change]");
    if (heading) heading.focus();
  }
  document.addEventListener("bookingCancelled", settle);
  document.addEventListener("bookingChanged", settle);
  document.addEventListener("orderCancelled", settle);

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.dataset || !field.dataset.counter) return;
    var out = document.getElementById(field.dataset.counter);
    if (out) out.textContent = field.value.length + " / " + field.maxLength + " characters";
  });
})();

// Choosing "Other" makes the note required (the server checks it too).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (!select.dataset || !select.dataset.otherRequiresNote) return;
  var note = document.getElementById(select.dataset.otherRequiresNote);
  var option = select.options[select.selectedIndex];
  var other = !!(option && option.hasAttribute("data-other"));
  if (!note) return;
  if (other) { note.setAttribute("required", ""); note.focus(); }
  else if (!note.hasAttribute("data-always-required")) note.removeAttribute("required");
  var hint = note.labels && note.labels[0] && note.labels[0].querySelector(".muted");
  if (hint) hint.textContent = other || note.hasAttribute("data-always-required")
    ? "(required)" : "(optional)";
});

// Typing a fee ticks its box (data-ticks names the box): an amount typed next to an unticked box
// was silently dropped. Emptying the amount unticks it. Without JavaScript the server counts a
// changed amount as chosen (portal/web/flows/cancel.chosen_fee).
document.addEventListener("input", function (event) {
  var field = event.target;
  if (!field.dataset || !field.dataset.ticks) return;
  var box = document.getElementById(field.dataset.ticks);
  if (box) box.checked = field.value.trim() !== "";
});
