// The event editor without a round trip: “Add a speaker” and “Add a session” append an empty row
// from the formset's <template>. Without JavaScript, “Save and add more rows” does the same on the server.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (section) {
    var prefix = section.getAttribute("data-formset");
    var total = section.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = section.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = section.querySelector("template[data-formset-empty]");
    var rows = section.querySelector("[data-formset-rows]");
    var button = section.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type='hidden']), select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
