/* Porch comments: post forms as JSON, show errors in place, add comments newer than the build. */
(() => {
  const sec = document.querySelector("#comments[data-porch-api]");
  if (!sec) return;
  const api = sec.dataset.porchApi;
  const faces = JSON.parse(sec.dataset.porchStaff || "{}"); // name -> [role, avatar url]
  const $ = (sel, root = sec) => root.querySelector(sel);
  const list = $(".comment-list");
  const blank = $(":scope>.comment-form").cloneNode(true); // before typing: clones copy values
  // Strings become text nodes, never markup.
  const h = (tag, cls, ...kids) => {
    const e = document.createElement(tag);
    e.className = cls;
    e.append(...kids);
    return e;
  };
  const byId = (id) => document.getElementById("comment-" + id);
  const call = (opts) =>
    fetch(api, {
      ...opts,
      mode: "cors",
      credentials: "omit",
      headers: { Accept: "application/json", ...opts?.headers },
    });

  const initials = (name) => {
    const w = (name.trim() || "?").split(/\s+/);
    const a = h("span", `avatar avatar--s avatar--initials avatar--hue-${[...name].length % 6}`,
      (w[0][0] + (w[1] ? w[w.length - 1][0] : "")).toUpperCase());
    a.setAttribute("aria-hidden", "true");
    return a;
  };

  // The top-level form answering comment `id`; ids get a suffix to stay unique.
  const replyForm = (id) => {
    const f = blank.cloneNode(true);
    f.removeAttribute("aria-labelledby");
    f.querySelectorAll("[id],[for],[aria-describedby]").forEach((e) => {
      for (const a of ["id", "for", "aria-describedby"]) {
        const v = e.getAttribute(a);
        if (v) e.setAttribute(a, v.replace(/\S+/g, `$&-r${id}`));
      }
    });
    f.elements.parent_id.value = id;
    $("[type=submit]", f).textContent = "Post reply";
    return f;
  };

  const build = (c) => {
    const li = h("li", c.removed ? "comment comment--removed" : c.staff ? "comment comment--staff" : "comment");
    li.id = "comment-" + c.id;
    li.dataset.commentId = c.id;
    if (c.removed) li.append(h("p", "comment-removed", "This comment was removed."));
    else li.append(card(c));
    if (c.replies.length) li.append(h("ol", "comment-replies", ...c.replies.map(build)));
    return li;
  };

  const card = (c) => {
    const s = c.staff;
    let name = c.author_name;
    if (!s && /^https?:\/\//i.test(c.author_website)) {
      name = h("a", "", name);
      name.href = c.author_website;
      name.rel = "nofollow ugc noopener";
    }
    const [role, face] = (s && faces[s.name]) || [];
    let pic = initials(c.author_name);
    if (face) {
      pic = h("img", "avatar avatar--s");
      pic.src = face;
      pic.alt = "";
    }
    const head = h("header", "comment-header", pic, h("span", "comment-author", name));
    if (s) {
      const label = role || s.role[0].toUpperCase() + s.role.slice(1);
      head.append(h("span", "staff-badge", h("span", "visually-hidden", s.name + " · "), label));
    }
    const when = new Date(c.created_at).toLocaleDateString("en-GB", { dateStyle: "long" });
    const time = h("time", "", when);
    time.dateTime = c.created_at;
    const link = head.appendChild(h("a", "comment-permalink", time));
    link.href = "#comment-" + c.id;
    const body = h("div", "comment-body");
    body.innerHTML = c.html; // sanitised by the service
    const summary = h("summary", "", "Reply", h("span", "visually-hidden", " to " + c.author_name));
    return h("article", "comment-card", head, body, h("details", "comment-reply", summary, replyForm(c.id)));
  };

  const insert = (c) => {
    const parent = c.parent_id && byId(c.parent_id);
    const into = parent
      ? $(":scope>.comment-replies", parent) || parent.appendChild(h("ol", "comment-replies"))
      : list;
    $(".comment-empty")?.remove();
    return into.appendChild(build(c));
  };

  // What the live thread has and the page lacks is newer than the build.
  const merge = (nodes) => nodes.forEach((c) => (byId(c.id) ? merge(c.replies) : insert(c)));

  const show = (f, text) => ($(".form-errors", f).textContent = text);

  const fail = (f, status, data) => {
    let first;
    for (const [key, msg] of Object.entries(data.fields || {})) {
      const input = f.elements[key];
      if (!input?.id) continue;
      const err = h("p", "field-error", msg);
      err.id = input.id + "-error";
      input.after(err);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${err.id}`);
      first = first || input;
    }
    first?.focus();
    if (!first) show(f, data.message || `Sorry, your comment could not be sent (error ${status}).`);
  };

  const done = (f, data) => {
    const details = f.closest("details");
    f.reset();
    if (details) details.open = false;
    if (data.status === "approved") {
      const li = insert(data.comment);
      li.tabIndex = -1;
      li.focus();
      return;
    }
    $(".comment--pending-note")?.remove();
    const note = h("p", "comment--pending-note", "Thanks! Your comment will appear here once our team has checked it.");
    note.setAttribute("role", "status");
    (details || f).after(note);
  };

  sec.addEventListener("submit", async (e) => {
    const f = e.target;
    if (!f.matches(".comment-form")) return;
    e.preventDefault();
    f.querySelectorAll(".field-error").forEach((n) => n.remove());
    f.querySelectorAll("[aria-invalid]").forEach((i) => {
      i.removeAttribute("aria-invalid");
      i.setAttribute("aria-describedby", i.getAttribute("aria-describedby").replace(/ \S+-error$/, ""));
    });
    show(f, "");
    const payload = {};
    for (const [key, value] of new FormData(f)) {
      const v = value.trim();
      if (v) payload[key] = key === "parent_id" ? +v : v;
    }
    const button = $("[type=submit]", f);
    button.disabled = true;
    const res = await call({
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    }).catch(() => 0);
    button.disabled = false;
    if (!res) {
      return show(f, "Your comment was not sent: the server could not be reached. Your text is kept; try again.");
    }
    const data = await res.json().catch(() => ({}));
    res.status === 201 ? done(f, data) : fail(f, res.status, data);
  });

  call()
    .then((res) => res.json())
    .then((data) => merge(data.comments))
    .catch(() => {}); // the baked comments stay
})();
