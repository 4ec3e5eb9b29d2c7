/* Porch comments: post forms as JSON, show errors in place, add comments newer than the build.
   Threads come flat, in reading order, each comment with its depth: nothing here recurses. */
(() => {
  const sec = document.querySelector("#comments[data-porch-api]");
  if (!sec) return;
  const api = sec.dataset.porchApi;
  const faces = JSON.parse(sec.dataset.porchStaff || "{}"); // name -> [role, avatar url]
  const levels = +sec.dataset.porchThreadDepth || 5; // as deep as replies nest (PORCH_THREAD_DEPTH)
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

  // Who answered a reader comment and how fast, or that it still waits: the words and the
  // rounding of porch_pelican/figures.py (answer_line, duration_words), so a comment added
  // here reads like a baked one. Each unit is rounded to the nearest, halves up.
  const rounded = (seconds, size) => Math.floor((seconds + size / 2) / size);
  const counted = (n, unit) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const durationWords = (seconds) => {
    const minutes = rounded(seconds, 60);
    if (minutes < 1) return "under a minute";
    if (minutes < 60) return counted(minutes, "minute");
    const hours = rounded(seconds, 3600);
    if (hours < 48) return counted(hours, "hour");
    return counted(rounded(seconds, 86400), "day");
  };
  const answerLine = (c) => {
    if (c.got_in_touch) return `${c.got_in_touch} got in touch privately`;
    if (c.answered_by && Number.isInteger(c.answered_after_seconds)) {
      return `Answered by ${c.answered_by} in ${durationWords(c.answered_after_seconds)}`;
    }
    return c.waiting === true ? "Waiting for an answer" : null;
  };
  const answerNote = (c) => {
    const text = answerLine(c);
    return text && h("p", c.waiting ? "comment-answer comment-answer--waiting" : "comment-answer", text);
  };
  // "You said, we did": the note of a follow-up acted on, as text, as the partial shows it.
  const followUpNote = (c) =>
    c.what_we_did ? h("p", "comment-follow-up", h("strong", "", "What we did:"), " " + c.what_we_did) : null;
  // The lines under a comment's body, in the partial's order.
  const notes = (c) => [answerNote(c), followUpNote(c)].filter(Boolean);

  // The same words as the baked placeholder (_comments.html).
  const removedText = (c) =>
    c.removed_reason === "author_request"
      ? "This comment was removed at the author’s request."
      : "This comment was removed.";

  // One comment without its replies: they follow in the thread and are inserted one by one.
  const build = (c) => {
    const li = h("li", c.removed ? "comment comment--removed" : c.staff ? "comment comment--staff" : "comment");
    li.id = "comment-" + c.id;
    li.dataset.commentId = c.id;
    li.append(c.removed ? h("p", "comment-removed", removedText(c)) : card(c));
    return li;
  };

  // Shown beside its parent rather than under it, a reply says what it answers.
  const inReplyTo = (c) => {
    const link = h("a", "", c.in_reply_to || "a removed comment");
    link.href = "#comment-" + c.parent_id;
    return h("p", "comment-in-reply-to", "In reply to ", link);
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
    if (c.edited_at) link.append(h("span", "comment-edited", " · edited"));
    const body = h("div", "comment-body");
    body.innerHTML = c.html; // sanitised by the service
    const summary = h("summary", "", "Reply", h("span", "visually-hidden", " to " + c.author_name));
    const article = h("article", "comment-card", head, body, ...notes(c),
      h("details", "comment-reply", summary, replyForm(c.id)));
    if (c.depth >= levels) head.after(inReplyTo(c));
    return article;
  };

  // A reply goes under its parent, or beside it once the thread is `levels` deep.
  const insert = (c) => {
    const parent = c.parent_id && byId(c.parent_id);
    let into = list;
    if (parent && c.depth < levels) {
      into = $(":scope>.comment-replies", parent) || parent.appendChild(h("ol", "comment-replies"));
    } else if (parent) into = parent.parentElement;
    $(".comment-empty")?.remove();
    return into.appendChild(build(c));
  };

  // A baked comment may have been answered since the build: its line follows the live thread.
  const refresh = (li, c) => {
    const card = $(":scope>.comment-card", li);
    if (!card) return;
    card.querySelectorAll(":scope>.comment-answer, :scope>.comment-follow-up").forEach((e) => e.remove());
    $(":scope>.comment-body", card).after(...notes(c));
  };

  // What the live thread has and the page lacks is newer than the build; parents come first.
  const merge = (thread) =>
    thread.forEach((c) => {
      const li = byId(c.id);
      if (li) refresh(li, c);
      else insert(c);
    });

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

  const say = (after, cls, text) => {
    $("." + cls)?.remove();
    const note = h("p", cls, text);
    note.setAttribute("role", "status");
    after.after(note);
  };

  const done = (f, data) => {
    const details = f.closest("details");
    f.reset();
    if (details) details.open = false;
    if (data.subscription === "confirm") {
      say(details || f, "comment--subscription-note",
        "We have emailed you a link: confirm your address there, and we will email you as you asked.");
    }
    if (data.status === "approved") {
      const li = insert(data.comment);
      li.tabIndex = -1;
      li.focus();
      return;
    }
    say(details || f, "comment--pending-note", "Thanks! Your comment will appear here once our team has checked it.");
  };

  // One Idempotency-Key per comment: a retry of the same text sends the same key, so the
  // service stores it once even when its answer was lost on the way back.
  const keys = new WeakMap(); // form -> { body, key }
  const newKey = () =>
    crypto.randomUUID?.() ?? // only on https and localhost pages
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

  // Since when the reader has been on the page (or since their last comment was stored):
  // the service takes a comment sent sooner than a person reads and writes
  // (PORCH_MIN_FILL_SECONDS) for a bot's. Counting from the first keystroke instead
  // would catch a reader whose browser fills in the name and who writes "Thanks!".
  let since = 0; // performance.now() counts from the page's opening

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
    const text = JSON.stringify(payload); // the comment itself: what one key stands for
    if (keys.get(f)?.body !== text) keys.set(f, { body: text, key: newKey() });
    payload.fill_seconds = +((performance.now() - since) / 1000).toFixed(1);
    const body = JSON.stringify(payload);
    const button = $("[type=submit]", f);
    button.disabled = true;
    const res = await call({
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": keys.get(f).key },
      body,
    }).catch(() => 0);
    button.disabled = false;
    if (!res) {
      return show(f, "Your comment was not sent: the server could not be reached. Your text is kept; try again.");
    }
    const data = await res.json().catch(() => ({}));
    if (res.status !== 201) return fail(f, res.status, data);
    keys.delete(f); // stored: whatever this form sends next is a new comment
    since = performance.now();
    done(f, data);
  });

  // A link to a comment newer than the build (the blog link in a reader's email) can
  // only be followed once the comment is inserted.
  const wanted = location.hash.slice(1);
  const missing = wanted.startsWith("comment-") && !document.getElementById(wanted);
  call()
    .then((res) => res.json())
    .then((data) => {
      merge(data.comments);
      if (missing) document.getElementById(wanted)?.scrollIntoView();
    })
    .catch(() => {}); // the baked comments stay
})();
