/* Type-ahead for the ally name fields (input[data-ally-search]): the ARIA 1.2 combobox pattern
   over a plain text field that works without this script. Asks the portal for at most 20
   matching allies; arrows move, Enter chooses, Escape closes. No inline styles (strict CSP).
   In a picker of several allies (input[data-ally-picker-input], templates/includes/ally_picker.html)
   the chosen ally becomes a ticked checkbox of the list and the field empties for the next one;
   its “Search” button opens the list instead of sending the form. Rows added later (the event
   editor's speakers) are set up when their field first gets the focus. */
(function () {
  "use strict";

  var count = 0;

  function setup(input) {
    if (input.hasAttribute("data-ally-search-ready")) return;
    input.setAttribute("data-ally-search-ready", "");
    var index = count++;
    var picker = input.hasAttribute("data-ally-picker-input") ? input.closest("[data-ally-picker]") : null;
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

    function add(id, name) {
      var field = picker.getAttribute("data-ally-picker");
      var box = picker.querySelector("input[type='checkbox'][value='" + id + "']");
      if (!box) {
        var item = document.createElement("li");
        var label = document.createElement("label");
        box = document.createElement("input");
        box.type = "checkbox";
        box.name = field;
        box.value = id;
        box.id = input.id.replace(/_search$/, "") + "_" + id;
        label.htmlFor = box.id;
        label.textContent = name;
        item.className = "form-check";
        item.appendChild(box);
        item.appendChild(label);
        picker.querySelector("[data-ally-picker-list]").appendChild(item);
      }
      box.checked = true;
      var empty = picker.querySelector("[data-ally-picker-empty]");
      if (empty) empty.hidden = true;
      input.value = "";
      status.textContent = (input.getAttribute("data-added") || "") + " " + name;
    }

    function choose(position) {
      if (picker) {
        add(options[position].getAttribute("data-id"), options[position].textContent);
      } else {
        input.value = options[position].textContent;
      }
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
        option.setAttribute("data-id", String(result.id));
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

    function lookup(always) {
      var text = input.value.trim();
      if (text.length < (always ? 1 : 2)) {
        close();
        return;
      }
      var mine = ++request;
      fetch(url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "application/json" } })
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
        if (event.key === "Enter" && picker) {
          event.preventDefault(); // in a picker Enter searches, it does not send the whole form
          lookup(true);
        }
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
      } else if (event.key === "Enter" && picker) {
        event.preventDefault();
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
    var button = picker && picker.querySelector("[data-ally-picker-search]");
    if (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        input.focus();
        lookup(true);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-ally-search]"), setup);
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-ally-search]")) setup(event.target);
  });
})();
