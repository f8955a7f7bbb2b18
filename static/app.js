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

// Row menus (All bookings): one open at a time; Escape, a click elsewhere or choosing an item
// closes it, and Escape gives focus back to its "Actions" button. Without JavaScript the
// <details> still opens and its links are plain links.
(function () {
  "use strict";
  function closeMenus(except) {
    document.querySelectorAll("details.row-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (!(menu.matches && menu.matches("details.row-menu") && menu.open)) return;
    closeMenus(menu);
    // A menu opened on the last row on screen would hang below the fold.
    var list = menu.querySelector("ul");
    if (list) list.scrollIntoView({block: "nearest"});
  }, true);
  document.addEventListener("click", function (event) {
    var menu = event.target.closest("details.row-menu");
    if (!menu) closeMenus(null);
    else if (event.target.closest("a")) menu.removeAttribute("open");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest("details.row-menu[open]");
    if (!menu) return;
    event.preventDefault();
    menu.removeAttribute("open");
    menu.querySelector("summary").focus();
  });

  // Back on a list after a row's action (HX-Location swapped #main): focus goes back to that
  // row's menu button, or to the result message when the row left the list.
  var changed = null;
  function remember(event) { changed = event.detail && event.detail.ref; }
  document.addEventListener("bookingCancelled", remember);
  document.addEventListener("bookingChanged", remember);
  document.addEventListener("htmx:afterSettle", function (event) {
    var main = document.getElementById("main");
    if (!changed || !main || !main.contains(event.detail.elt)) return;
    var row = document.getElementById("row-" + changed);
    var flash = main.querySelector(".flash");
    changed = null;
    var target = (row && row.querySelector("summary")) || flash || main;
    if (target === flash) flash.setAttribute("tabindex", "-1");
    target.focus();
  });
})();

// The session ended (or the form's token is stale) while a dialog was open: the server's 401/400
// notice (portal/web/app/session_expiry.py) goes at the top of that dialog; the form and what was
// typed stay, and the form gets a fresh token, so after logging in again the same button sends
// the same text. With no dialog open the notice shows as a dialog of its own.
document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (!xhr || !xhr.getResponseHeader("X-Session-Expired")) return;
  var dialog = event.detail.requestConfig && event.detail.requestConfig.elt &&
    event.detail.requestConfig.elt.closest("dialog[data-modal][open]");
  if (!dialog) return;
  var parsed = new DOMParser().parseFromString(xhr.responseText, "text/html");
  var notice = parsed.querySelector(".session-expired");
  if (!notice) return;
  event.detail.shouldSwap = false;
  var token = notice.getAttribute("data-csrf");
  if (token) {
    dialog.querySelectorAll("input[name=csrf_token]").forEach(function (i) { i.value = token; });
    document.body.setAttribute("hx-headers", JSON.stringify({"X-CSRFToken": token}));
  }
  var old = dialog.querySelector(".session-expired");
  if (old) old.remove();
  var article = dialog.querySelector("article") || dialog;
  var header = article.querySelector("header");
  var placed = document.importNode(notice, true);
  placed.setAttribute("tabindex", "-1");
  if (header) header.after(placed); else article.prepend(placed);
  (placed.querySelector("a") || placed).focus();
});

// Feedback while a request runs (issue 18, 12): the pressed button (or link) shows a spinner
// (Pico's aria-busy) and can't be pressed again until the answer is in; a date or filter
// change marks the region being refreshed. Polls (no person pressed anything) show nothing.
(function () {
  "use strict";
  function pressed(detail) {
    var evt = detail.requestConfig && detail.requestConfig.triggeringEvent;
    if (!evt || !evt.isTrusted) return null;
    var elt = detail.elt;
    if (evt.submitter) return evt.submitter;
    if (elt.tagName === "FORM") {
      var target = detail.target;
      return evt.type === "submit" ? elt.querySelector("button[type=submit], button:not([type])")
        : (target && target.id !== "modal-root" ? target : null);
    }
    if (elt.matches("input, select, textarea")) {
      return detail.target && detail.target.id !== "modal-root" ? detail.target : null;
    }
    return elt;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var busy = pressed(event.detail);
    if (!busy) return;
    event.detail.requestConfig.rebookBusy = busy;
    // A region being refreshed is only dimmed (layout.css): Pico draws a spinner line before
    // anything aria-busy, which would push the rows down under a pointer mid-click.
    if (busy.matches("button, a")) busy.setAttribute("aria-busy", "true");
    busy.classList.add("is-busy");
    if (busy.tagName === "BUTTON") busy.disabled = true;
    else if (busy.matches("a")) busy.setAttribute("aria-disabled", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var busy = event.detail.requestConfig && event.detail.requestConfig.rebookBusy;
    if (!busy) return;
    busy.removeAttribute("aria-busy");
    busy.classList.remove("is-busy");
    if (busy.tagName === "BUTTON") busy.disabled = false;
    else if (busy.matches("a")) busy.removeAttribute("aria-disabled");
  });
})();

// A poll from an idle tab sends the page to the login page when the session ends; not while a
// dialog with a form is open (what was typed would go): its own request will say so instead.
document.addEventListener("htmx:beforeOnLoad", function (event) {
  var xhr = event.detail.xhr;
  if (!xhr || xhr.status !== 401 || !xhr.getResponseHeader("HX-Redirect")) return;
  if (document.querySelector("dialog[data-modal][open] form")) event.preventDefault();
});
