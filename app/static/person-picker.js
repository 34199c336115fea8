// The person picker of the registration form, after the WAI-ARIA combobox pattern: typing
// a name, pinyin initials (ljg for 李建国) or 工号 lists the matching people of the
// admin's units from the input's data-picker URL; ↓/↑ move through them, Enter picks
// one, Escape closes the list (or, when it is closed, clears the field). A pick fills
// the form's hidden user_id. Without this script the form posts the typed text, which
// the server looks up the same way.
"use strict";

(() => {
  const DELAY = 200; // ms of quiet typing before asking the server

  function setUp(input) {
    const chosen = input.form.elements.namedItem("user_id");
    const list = document.createElement("ul");
    const status = document.createElement("p");
    list.id = `${input.id}-options`;
    list.className = "picker-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "匹配的人员");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.after(list, status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.autocomplete = "off";

    let timer = 0;
    let pending = null;
    let people = [];
    let active = -1;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const options = list.children;
      if (!options.length) return;
      active = (index + options.length) % options.length;
      for (const [i, option] of [...options].entries()) {
        option.setAttribute("aria-selected", String(i === active));
      }
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function pick(index) {
      const person = people[index];
      input.value = `${person.name}（${person.login}）`;
      chosen.value = String(person.id);
      close();
      status.textContent = `已选择${person.name}，按回车报名`;
    }

    function show(found) {
      people = found;
      list.replaceChildren(
        ...found.map((person, i) => {
          const option = document.createElement("li");
          const unit = document.createElement("span");
          option.id = `${list.id}-${i}`;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.textContent = `${person.name}（${person.login}）`;
          unit.className = "picker-unit";
          unit.textContent = person.unit;
          option.append(unit);
          return option;
        }),
      );
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = !found.length;
      input.setAttribute("aria-expanded", String(Boolean(found.length)));
      status.textContent = found.length
        ? `找到 ${found.length} 人，可用上下方向键选择`
        : "没有找到匹配的人员";
    }

    async function lookUp() {
      const text = input.value.trim();
      if (pending) pending.abort();
      if (!text) {
        people = [];
        close();
        return;
      }
      pending = new AbortController();
      try {
        const url = `${input.dataset.picker}?q=${encodeURIComponent(text)}`;
        const reply = await fetch(url, {
          headers: { Accept: "application/json" },
          signal: pending.signal,
        });
        if (reply.ok) show((await reply.json()).people);
      } catch (error) {
        if (error.name !== "AbortError") close(); // offline: the form still works as typed
      }
    }

    input.addEventListener("input", () => {
      chosen.value = "";
      clearTimeout(timer);
      timer = setTimeout(lookUp, DELAY);
    });

    input.addEventListener("keydown", (event) => {
      const open = !list.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!people.length) return;
        event.preventDefault();
        if (!open) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        highlight(event.key === "ArrowDown" ? active + 1 : active < 0 ? -1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // picking is not yet registering
        pick(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        if (open) {
          close();
        } else {
          input.value = "";
          chosen.value = "";
        }
      }
    });

    list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus
    list.addEventListener("click", (event) => {
      const option = event.target instanceof Element ? event.target.closest("[role=option]") : null;
      if (option) pick([...list.children].indexOf(option));
    });
    input.addEventListener("blur", close);
  }

  for (const input of document.querySelectorAll("input[data-picker]")) {
    setUp(input);
  }
})();
