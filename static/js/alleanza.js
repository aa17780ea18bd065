// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";
  // A form that came back with errors: move focus to its summary (the first one of the
  // page), so that a screen reader reads it and the keyboard starts from its links.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
  // A link of the summary: focus the field itself, not only scroll to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-error-summary] a[href^='#']") : null;
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      if (field.tabIndex < 0 && !/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(field.tagName)) {
        var inner = field.querySelector("input, select, textarea");
        field = inner || field;
      }
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
  // Close the account menu (a <details> element) when focus or a click leaves it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) {
        menu.removeAttribute("open");
      }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });
})();
