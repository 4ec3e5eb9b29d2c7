/* Answer boxes on the moderation page: a saved reply goes in at the cursor, and Preview
   shows the answer as it would be published, both without leaving the page. Without this
   script the same buttons send the box to the service, which puts the draft back. */
(() => {
  const token = () => document.querySelector("input[name=csrf_token]").value;
  let texts; // the saved replies' texts by id, asked for once

  const replyText = async (select) => {
    texts ??= fetch(select.dataset.porchTexts, { headers: { Accept: "application/json" } })
      .then((answer) => (answer.ok ? answer.json() : Promise.reject(answer)))
      .then((data) => data.replies);
    return (await texts)[select.value];
  };

  const insert = async (button) => {
    const form = button.form;
    const box = form.elements.body;
    const text = await replyText(form.elements.saved_reply);
    if (text === undefined) return form.requestSubmit(button); // the service says why
    box.focus();
    box.setRangeText(text, box.selectionStart, box.selectionEnd, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const preview = async (button) => {
    const area = document.getElementById(button.getAttribute("aria-controls"));
    const answer = await fetch(button.dataset.porchPreview, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token() },
      body: JSON.stringify({ body: button.form.elements.body.value }),
    });
    const data = await answer.json();
    const heading = document.createElement("p");
    heading.className = "meta";
    heading.textContent = button.dataset.porchPreviewHeading; // in the page's language
    const body = document.createElement("div");
    body.className = "body";
    body.innerHTML = data.html || ""; // rendered and sanitised by the service, as published
    const problems = (data.problems || (data.message ? [data.message] : [])).map((message) => {
      const p = document.createElement("p");
      p.className = "field-error";
      p.textContent = message;
      return p;
    });
    area.replaceChildren(heading, ...problems, body);
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-porch-insert],button[data-porch-preview]");
    if (!button) return;
    event.preventDefault();
    const act = button.dataset.porchInsert ? insert : preview;
    act(button).catch(() => button.form.requestSubmit(button)); // offline or refused: the plain way
  });
})();
