// Read-only fields whose whole value is meant to be taken elsewhere (the private feed
// address on Settings): focusing one selects all of it, and its Copy button, hidden
// until this script runs, puts the value on the clipboard and says so. Without the
// script the field stays selectable by hand.
"use strict";

for (const field of document.querySelectorAll("[data-select-on-focus]")) {
  const selectAll = () => field.select();
  field.addEventListener("focus", selectAll);
  // A tap or click after the focus would otherwise put a caret where it landed.
  field.addEventListener("click", selectAll);
}

for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.status);
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.focus();
    field.select();
    status.textContent = (await copied(field.value))
      ? "Copied."
      : "Not copied: the address is selected, copy it with your device's own command.";
  });
}

async function copied(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No Clipboard API (a page not served over HTTPS) or no permission: the older command.
    return document.execCommand("copy");
  }
}
