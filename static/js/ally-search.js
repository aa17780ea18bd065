/* Type-ahead for the ally name fields (input[data-ally-search]): the ARIA 1.2 combobox pattern
   over a plain text field that works without this script. Asks the portal for at most 20
   matching allies; arrows move, Enter chooses, Escape closes. No inline styles (strict CSP). */
(function () {
  "use strict";

  function setup(input, index) {
    var url = input.getAttribute("data-ally-search");
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var timer = null;
    var active = -1;
    var options = [];
    var request = 0;

    list.id = (input.id || "ally-search-" + index) + "-listbox";
    list.setAttribute("role", "listbox");
    list.className = "list-group ally-search-list";
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      options.forEach(function (option, i) {
        var on = i === position;
        option.classList.toggle("active", on);
        option.setAttribute("aria-selected", on ? "true" : "false");
      });
      active = position;
      if (position >= 0) {
        input.setAttribute("aria-activedescendant", options[position].id);
        options[position].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(position) {
      input.value = options[position].textContent;
      close();
      input.focus();
    }

    function show(results) {
      list.textContent = "";
      options = results.map(function (result, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.name;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the field
          choose(i);
        });
        list.appendChild(option);
        return option;
      });
      var count = results.length;
      status.textContent = count === 0
        ? input.getAttribute("data-none") || ""
        : (input.getAttribute("data-found") || "") + " " + count;
      list.hidden = count === 0;
      input.setAttribute("aria-expanded", count === 0 ? "false" : "true");
      highlight(-1);
    }

    function lookup() {
      var text = input.value.trim();
      if (text.length < 2) {
        close();
        return;
      }
      var mine = ++request;
      fetch(url + "?q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === request) show(data.results || []); })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && input.value.trim().length >= 2) lookup();
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-ally-search]"), setup);
  });
})();
