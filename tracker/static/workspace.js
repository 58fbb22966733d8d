/* Repatriation Tracker workspace: progressive enhancements, no inline script anywhere.
 * - select[data-picker]: a search-as-you-type picker (asks the server, POST + CSRF header)
 * - button[data-add-row]: adds another claim / detention row to a form
 * - form[data-confirm]: asks before moving a record to the Trash or reverting it
 * - form[data-busy]: shows a working indicator while a long preview or import runs
 * - the event form shows "Last day" only for a range
 * Without JavaScript every form still works with plain selects. */
(function () {
  "use strict";

  function csrfToken(element) {
    var form = element.closest("form");
    var input = form && form.querySelector("input[name=csrf_token]");
    if (input) return input.value;
    var any = document.querySelector("input[name=csrf_token]");
    return any ? any.value : "";
  }

  var pickerCount = 0;

  function Picker(select) {
    this.select = select;
    this.multiple = select.multiple;
    this.url = select.getAttribute("data-lookup");
    this.active = -1;
    this.items = [];
    this.timer = null;
    this.requestNumber = 0;
    this.build();
  }

  Picker.prototype.build = function () {
    var select = this.select;
    var id = select.id;
    var wrapper = document.createElement("div");
    wrapper.className = "picker";
    var listId = id + "-options";
    var input = document.createElement("input");
    input.type = "text";
    input.id = id + "-search";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    // The page's language: the template puts the translated texts on the select.
    input.placeholder = select.getAttribute("data-placeholder") || (this.multiple ? "Type to add…" : "Type to search…");
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var chosen = document.createElement("ul");
    chosen.className = "picker-chosen";
    chosen.setAttribute("aria-label", select.getAttribute("data-chosen") || "Chosen");

    // The label now names the search box; the select stays in the form, hidden, and holds the value.
    var label = document.querySelector('label[for="' + id + '"]');
    if (label) label.setAttribute("for", input.id);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;
    select.parentNode.insertBefore(wrapper, select);
    if (this.multiple) wrapper.appendChild(chosen);
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(select);
    this.input = input;
    this.list = list;
    this.chosen = chosen;
    this.showChosen();

    var self = this;
    input.addEventListener("input", function () {
      if (!self.multiple && !input.value) self.select.value = "";
      self.schedule();
    });
    input.addEventListener("focus", function () { if (!input.value) self.schedule(); });
    input.addEventListener("keydown", function (event) { self.key(event); });
    input.addEventListener("blur", function () {
      window.setTimeout(function () { self.close(); self.showChosen(); }, 150);
    });
  };

  Picker.prototype.selectedOptions = function () {
    return Array.prototype.filter.call(this.select.options, function (o) { return o.selected && o.value; });
  };

  Picker.prototype.showChosen = function () {
    var self = this;
    if (!this.multiple) {
      if (document.activeElement !== this.input) {
        var current = this.selectedOptions()[0];
        this.input.value = current ? current.textContent : "";
      }
      return;
    }
    this.chosen.textContent = "";
    this.selectedOptions().forEach(function (option) {
      var item = document.createElement("li");
      item.textContent = option.textContent + " ";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link";
      remove.textContent = self.select.getAttribute("data-remove") || "Remove";
      var named = self.select.getAttribute("data-remove-named") || "Remove {name}";
      remove.setAttribute("aria-label", named.replace("{name}", option.textContent));
      remove.addEventListener("click", function () {
        option.selected = false;
        self.showChosen();
        self.input.focus();
      });
      item.appendChild(remove);
      self.chosen.appendChild(item);
    });
  };

  Picker.prototype.schedule = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.search(); }, 150);
  };

  Picker.prototype.search = function () {
    var self = this;
    var number = ++this.requestNumber;
    var body = new URLSearchParams();
    body.set("q", this.input.value.trim());
    fetch(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(this.select), "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString()
    })
      .then(function (response) { return response.ok ? response.json() : { items: [] }; })
      .then(function (data) { if (number === self.requestNumber) self.open(data.items || []); })
      .catch(function () { self.open([]); });
  };

  Picker.prototype.open = function (items) {
    var self = this;
    this.items = items;
    this.active = items.length ? 0 : -1;
    this.list.textContent = "";
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "picker-empty";
      empty.textContent = this.select.getAttribute("data-nothing") || "Nothing matches.";
      this.list.appendChild(empty);
    }
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = self.select.id + "-option-" + index;
      option.setAttribute("role", "option");
      // A name search says which written form matched ("as 김철옥") when the label does not show it.
      option.textContent = item.matched ? item.label + " (as " + item.matched + ")" : item.label;
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        self.choose(index);
      });
      self.list.appendChild(option);
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight();
  };

  Picker.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.highlight = function () {
    var options = this.list.querySelectorAll("[role=option]");
    for (var i = 0; i < options.length; i++) {
      options[i].setAttribute("aria-selected", i === this.active ? "true" : "false");
    }
    if (this.active >= 0 && options[this.active]) {
      this.input.setAttribute("aria-activedescendant", options[this.active].id);
      options[this.active].scrollIntoView({ block: "nearest" });
    }
  };

  Picker.prototype.choose = function (index) {
    var item = this.items[index];
    if (!item) return;
    var value = String(item.id);
    var option = Array.prototype.find.call(this.select.options, function (o) { return o.value === value; });
    if (!option) {
      option = document.createElement("option");
      option.value = value;
      option.textContent = item.label;
      this.select.appendChild(option);
    }
    if (!this.multiple) this.select.value = value;
    option.selected = true;
    this.input.value = this.multiple ? "" : item.label;
    this.close();
    this.showChosen();
    this.select.dispatchEvent(new Event("change", { bubbles: true }));
  };

  Picker.prototype.key = function (event) {
    var open = !this.list.hidden;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { this.search(); return; }
      this.active = Math.min(this.active + 1, this.items.length - 1);
      this.highlight();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      this.active = Math.max(this.active - 1, 0);
      this.highlight();
    } else if (event.key === "Enter" && open && this.active >= 0) {
      event.preventDefault();
      this.choose(this.active);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      this.close();
    } else if (event.key === "Backspace" && !this.multiple && this.input.value.length <= 1) {
      this.select.value = "";
    }
  };

  function enhancePickers(root) {
    root.querySelectorAll("select[data-picker]").forEach(function (select) {
      if (select.dataset.enhanced) return;
      select.dataset.enhanced = "yes";
      pickerCount += 1;
      new Picker(select);
    });
  }

  // Rows (claims, detentions): a pristine copy of the last row is kept before enhancement.
  var rowTemplates = {};

  function prepareRows() {
    document.querySelectorAll("[data-rows]").forEach(function (group) {
      var rows = group.querySelectorAll("[data-row]");
      if (!rows.length) return;
      rowTemplates[group.getAttribute("data-rows")] = rows[rows.length - 1].cloneNode(true);
      var button = group.querySelector("[data-add-row]");
      if (button) button.hidden = false;
    });
  }

  function addRow(button) {
    var name = button.getAttribute("data-add-row");
    var group = button.closest("[data-rows]");
    var template = rowTemplates[name];
    if (!template) return;
    var index = group.querySelectorAll("[data-row]").length;
    var row = template.cloneNode(true);
    var pattern = new RegExp("^" + name + "-\\d+-");
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (element) {
      ["id", "name", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(pattern, name + "-" + index + "-"));
      });
      var described = element.getAttribute("aria-describedby");
      if (described) {
        element.setAttribute("aria-describedby", described.split(" ").map(function (part) {
          return part.replace(pattern, name + "-" + index + "-");
        }).join(" "));
      }
      if (element.matches("input, textarea")) element.value = "";
      if (element.matches("select")) element.selectedIndex = -1;
      element.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".error").forEach(function (error) { error.remove(); });
    var legend = row.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(/\d+$/, String(index + 1));
    group.insertBefore(row, button);
    enhancePickers(row);
    var first = row.querySelector("input:not([type=hidden]), select:not([hidden]), textarea");
    if (first) first.focus();
  }

  function precisionToggle() {
    var precision = document.getElementById("date_precision");
    var end = document.getElementById("date_end");
    if (!precision || !end) return;
    var field = end.closest(".field");
    function update() { field.hidden = precision.value !== "range"; }
    precision.addEventListener("change", update);
    update();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (button) {
      event.preventDefault();
      addRow(button);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    var busy = form.getAttribute && form.getAttribute("data-busy");
    if (busy) showBusy(form, busy);
  });

  // form[data-busy]: a long request (a preview or an import) shows that it is working.
  function showBusy(form, text) {
    var status = form.querySelector("[data-busy-status]");
    if (!status) return;
    status.textContent = text + " ";
    var bar = document.createElement("progress");
    bar.setAttribute("aria-label", text);
    status.appendChild(bar);
    status.hidden = false;
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      window.setTimeout(function () { button.disabled = true; }, 0);
    });
  }

  // The top bar's menu button: on a narrow screen the menu folds behind it.
  function menuToggle() {
    var button = document.querySelector(".menu-toggle");
    var bar = button && button.closest(".topbar");
    if (!bar) return;
    var narrow = window.matchMedia("(max-width: 40rem)");
    function show(open) {
      bar.classList.toggle("menu-closed", !open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.hidden = false;
    show(!narrow.matches);
    button.addEventListener("click", function () {
      show(bar.classList.contains("menu-closed"));
    });
    narrow.addEventListener("change", function () { show(!narrow.matches); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    menuToggle();
    prepareRows();
    enhancePickers(document);
    precisionToggle();
  });
})();
