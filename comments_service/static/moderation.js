// Keyboard shortcuts of the moderation queue, as WordPress's Comments screen has them.
// A decision presses the card's own button, so the CSRF token, the message and Undo work
// as they do without script. What happened is said in the live region #shortcut-news, in
// the page's words (#moderation-words: "{title}" and the like stand for the values).
(() => {
  "use strict";

  const cards = Array.from(document.querySelectorAll("[data-card]"));
  const news = document.getElementById("shortcut-news");
  const help = document.getElementById("shortcuts");
  // Which card was chosen when a decision left the page; the next page chooses the same place.
  const KEPT = "porch-moderation-card";
  const WORDS = JSON.parse(document.getElementById("moderation-words").textContent);
  let current = -1;

  function say(text) {
    news.textContent = text;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (all, name) => values[name] ?? all);
  }

  function describe(index) {
    return fill(WORDS.comment, { index: index + 1, count: cards.length, title: cards[index].dataset.title });
  }

  function choose(index) {
    if (!cards.length) {
      say(WORDS.none);
      return;
    }
    const next = Math.max(0, Math.min(cards.length - 1, index));
    cards[current]?.removeAttribute("data-current");
    current = next;
    const card = cards[current];
    card.setAttribute("data-current", "");
    card.tabIndex = -1;
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
    say(describe(current));
  }

  function chosen() {
    if (current < 0) say(WORDS.first);
    return cards[current];
  }

  function remember() {
    if (current >= 0) sessionStorage.setItem(KEPT, String(current));
  }

  function answer() {
    const card = chosen();
    if (!card) return;
    const fold = card.querySelector("details[data-fold=answer]");
    if (!fold) {
      say(WORDS.unanswerable);
      return;
    }
    fold.open = true;
    fold.querySelector("textarea").focus();
  }

  function decide(key) {
    const card = chosen();
    if (!card) return;
    const button = card.querySelector(`button[data-shortcut="${key}"]`);
    if (!button) {
      say(WORDS.absent[key]);
      return;
    }
    say(fill(WORDS.pressed[key], { title: card.dataset.title }));
    remember();
    button.click();
  }

  function undo() {
    const button = document.querySelector("form.undo button");
    if (!button) {
      say(WORDS.nothing);
      return;
    }
    say(WORDS.undoing);
    remember();
    button.click();
  }

  function select() {
    const card = chosen();
    if (!card) return;
    const box = card.querySelector("input[type=checkbox][name=ids]");
    box.checked = !box.checked;
    say(box.checked ? WORDS.selected : WORDS.unselected);
  }

  function showHelp() {
    if (!help.open) help.showModal();
  }

  const SHORTCUTS = {
    j: () => choose(current + 1),
    k: () => choose(current < 0 ? 0 : current - 1),
    r: answer,
    a: () => decide("a"),
    s: () => decide("s"),
    d: () => decide("d"),
    u: undo,
    x: select,
    "?": showHelp,
  };

  // Fields that take typed letters; a checkbox or a button does not.
  function typingIn(element) {
    if (element.isContentEditable) return true;
    if (element.matches("textarea, select")) return true;
    return element.matches("input") && !element.matches("[type=checkbox], [type=radio], [type=button], [type=submit], [type=reset]");
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (help.open || typingIn(event.target)) return;
    const shortcut = SHORTCUTS[event.key];
    if (!shortcut) return;
    event.preventDefault();
    shortcut();
  });

  // Ctrl+Enter (⌘+Enter) in an answer box publishes it, as in most mail programs.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const box = event.target.closest("form.answer textarea");
    if (!box) return;
    event.preventDefault();
    remember();
    box.form.requestSubmit();
  });

  // Escape in an answer box folds it away (the text stays) and goes back to its comment.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const fold = event.target.closest("details[data-fold=answer]");
    if (!fold || !event.target.matches("textarea")) return;
    fold.open = false;
    choose(cards.indexOf(fold.closest("[data-card]")));
  });

  // Tabbing into a card makes it the chosen one, so j and k go on from there.
  document.addEventListener("focusin", (event) => {
    const card = event.target.closest("[data-card]");
    const index = cards.indexOf(card);
    if (index < 0 || index === current) return;
    cards[current]?.removeAttribute("data-current");
    current = index;
    card.setAttribute("data-current", "");
  });

  help.querySelector("[data-close]").addEventListener("click", () => help.close());
  const helpButton = document.querySelector("[data-shortcuts-help]");
  helpButton.hidden = false;
  helpButton.addEventListener("click", showHelp);

  // "More" on a card links to the comment's page of tools; opened, it brings them here.
  // Their forms come back to this tab, as they do from that page. If the page cannot be
  // read, the link stays.
  async function bringTools(place) {
    place.removeAttribute("data-tools");
    try {
      const response = await fetch(place.querySelector("a").href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(`${response.status}`);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const card = place.closest("[data-card]");
      const tools = page.querySelector(`#${card.id} .more`);
      if (!tools) throw new Error("no tools on the page");
      place.replaceChildren(...tools.childNodes);
    } catch {
      say(WORDS.tools);
    }
  }

  document.addEventListener(
    "toggle",
    (event) => {
      const place = event.target.matches?.("details[data-fold=more][open]") && event.target.querySelector(".more[data-tools]");
      if (place) bringTools(place);
    },
    true,
  );

  // A refused answer comes back open, with the text and why: the cursor goes back into it.
  document.querySelector("details[data-fold=answer][open] textarea[aria-invalid=true]")?.focus();

  const kept = sessionStorage.getItem(KEPT);
  if (kept !== null) {
    sessionStorage.removeItem(KEPT);
    choose(Number(kept));
    const done = document.querySelector(".flash");
    // Said a moment after loading, once screen readers listen to the live region.
    if (done && current >= 0) setTimeout(() => say(`${done.textContent.trim()} ${describe(current)}`), 300);
  }
})();
