/* Porch comments: post forms as JSON, show errors in place, add comments newer than the build.
   Threads come flat, in reading order, with depths: nothing recurses. A comment's markup is the
   page's <template>, from the filter that bakes comments (comment_html.py): cloned and filled. */
(() => {
  const sec = document.querySelector("#comments[data-porch-api]");
  if (!sec) return;
  const { porchApi: api, porchHere: here, porchPageAt: pageAt } = sec.dataset;
  const faces = JSON.parse(sec.dataset.porchStaff || "{}"); // name -> [role, avatar url, page]
  const levels = +sec.dataset.porchThreadDepth || 5; // as deep as replies nest (PORCH_THREAD_DEPTH)
  const fold = +sec.dataset.porchThreadCollapse || 4; // replies this deep open folded
  const pages = +sec.dataset.porchPages || 1;
  let last = +sec.dataset.porchPage || 1; // the last page of the thread shown here
  const $ = (sel, root = sec) => root.querySelector(sel);
  // The blog's words for what the script says (porch_pelican/script_words.py), "{name}" filled in.
  const W = JSON.parse($("#porch-words").textContent);
  const fill = (text, values) => text.replace(/{(\w+)}/g, (_, k) => values[k]);
  const drop = (sel, root) => root.querySelectorAll(sel).forEach((e) => e.remove());
  const list = $(".comment-list");
  const model = $("#comment-template").content.firstElementChild;
  const [folded, nested] = [...model.querySelectorAll(":scope>details,:scope>ol")].map((e) => e.remove() || e);
  const blank = $(":scope>.comment-form").cloneNode(true); // before typing: clones copy values
  const h = (tag, cls, ...kids) => {
    const e = document.createElement(tag);
    e.className = cls;
    e.append(...kids);
    return e;
  };
  const byId = (id) => document.getElementById("comment-" + id);
  const call = (opts, query = "") =>
    fetch(api + query, {
      ...opts, // cross-origin, so in "cors" mode
      credentials: "omit",
      headers: { Accept: "application/json", ...opts?.headers },
    });

  // The one reply form, moved under the comment answered; ids get a suffix.
  const reply = blank.cloneNode(true);
  reply.removeAttribute("id");
  reply.removeAttribute("aria-labelledby");
  reply.querySelectorAll("[id],[for],[aria-describedby]").forEach((e) => {
    for (const a of ["id", "for", "aria-describedby"]) {
      const v = e.getAttribute(a);
      if (v) e.setAttribute(a, v.replace(/\S+/g, "$&-reply"));
    }
  });
  $("[type=submit]", reply).textContent = W.post_reply;
  $("[for$=body-reply]", reply).textContent = W.your_reply;

  // "Save my name, email and website": in this browser's localStorage, never a cookie. The
  // details become the forms' defaults, so a form reset after posting keeps them.
  const forms = [$(":scope>.comment-form"), reply];
  const who = ["author_name", "email", "website"];
  const keep = (saved) =>
    forms.forEach((f) => {
      $(".field--remember", f).hidden = false;
      $("[type=checkbox]", f).defaultChecked = !!saved;
      who.forEach((k) => (f.elements[k].defaultValue = (saved && saved[k]) || ""));
    });
  const remember = (f) => {
    const saved = $("[type=checkbox]", f).checked && Object.fromEntries(who.map((k) => [k, f.elements[k].value.trim()]));
    try {
      if (saved) localStorage.porchReader = JSON.stringify(saved);
      else localStorage.removeItem("porchReader");
    } catch {} // storage refused: nothing is saved
    keep(saved);
  };
  try {
    keep(JSON.parse(localStorage.porchReader || 0));
  } catch {
    keep();
  }

  // The lines under a comment's body, from the template; the service words the answer line.
  const notes = (c) => {
    const out = [];
    if (c.answer_line) {
      const line = $(".comment-answer", model).cloneNode(true);
      line.textContent = c.answer_line;
      line.classList.toggle("comment-answer--waiting", c.waiting == true);
      out.push(line);
    }
    if (c.what_we_did) {
      const did = $(".comment-follow-up", model).cloneNode(true);
      did.lastChild.textContent = " " + c.what_we_did;
      out.push(did);
    }
    return out;
  };

  // The time in UTC, as the theme prints it: "4 March 2026, 23:30 UTC", in the blog's language.
  const utc = (o) => new Intl.DateTimeFormat(W.locale, { ...o, timeZone: "UTC" });
  const [day, clock] = [utc({ dateStyle: "long" }), utc({ timeStyle: "short" })];
  const dateLabel = (iso, d = new Date(iso)) => W.moment.replace("{1}", day.format(d)).replace("{0}", clock.format(d));
  // Shown as "3 hours ago"; the title keeps the time itself.
  const ago = new Intl.RelativeTimeFormat(W.locale, { numeric: "auto" });
  const units = [["year", 31536e3], ["month", 2592e3], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const relative = (t) => {
    const s = Math.min(0, (Date.parse(t.dateTime) - Date.now()) / 1000);
    const [unit, size] = units.find(([, n]) => -s >= n) || ["second", 1];
    t.textContent = ago.format(Math.round(s / size), unit);
  };
  sec.querySelectorAll("time").forEach(relative);

  // As _people.html's avatar macro.
  const initials = (pic, name) => {
    const w = (name || "?").split(/\s+/).filter(Boolean);
    pic.textContent = (w[0][0] + (w.length > 1 ? w[w.length - 1][0] : "")).toUpperCase();
    pic.className = pic.className.replace(/hue-\d/, "hue-" + ([...name].length % 6));
  };

  // One comment without its replies; `at`: the address of the page that holds it.
  const build = (c, at) => {
    const li = model.cloneNode(true);
    const slot = (name) => $(`[data-slot=${name}]`, li);
    li.id = "comment-" + c.id;
    li.dataset.commentId = c.id;
    if (c.removed) {
      li.classList.add("comment--removed");
      slot("card").remove();
      slot(c.removed_reason == "author_request" ? "removed" : "removed-on-request").remove();
      return li;
    }
    drop(".comment-removed", li);
    // Held (status from POST /comments/mine or the 201): only its writer gets it, and
    // nobody can reply to it yet.
    if (c.status == "pending") {
      li.classList.add("comment--held");
      $(".comment-actions", li).hidden = true;
      slot("card").prepend(h("p", "comment-held", W.held));
    }
    const s = c.staff;
    const [role, face, page] = (s && faces[s.name]) || [];
    li.classList.toggle("comment--staff", !!s);
    if (face) {
      $(".avatar--initials", li).remove();
      $("img.avatar", li).src = face;
    } else {
      $("img.avatar", li).remove();
      initials($(".avatar--initials", li), s ? s.name : c.author_name);
    }
    const name = $("a", slot("author"));
    name.textContent = c.author_name;
    if (page) {
      name.href = page;
      name.removeAttribute("rel");
    } else if (/^https?:\/\//i.test(c.author_website)) name.href = c.author_website;
    else name.replaceWith(c.author_name);
    const badge = slot("badge");
    if (s) badge.append(role || s.role[0].toUpperCase() + s.role.slice(1));
    if (s) badge.firstChild.textContent = s.name + " · ";
    else badge.remove();
    const link = $(".comment-permalink", li);
    link.href = `${at}#comment-${c.id}`;
    $("time", link).dateTime = c.created_at;
    $("time", link).title = dateLabel(c.created_at);
    relative($("time", link));
    if (!c.edited_at) $(".comment-edited", li).remove();
    else if (c.edited_by_team) $(".comment-edited", li).textContent = W.edited_by_team;
    const parent = $(".comment-in-reply-to", li);
    if (c.depth >= levels) {
      $("a", parent).href = "#comment-" + c.parent_id;
      $("a", parent).textContent = c.in_reply_to || W.removed_comment;
    } else parent.remove();
    const body = $(".comment-body", li);
    body.innerHTML = c.html; // sanitised by the service
    drop(".comment-answer,.comment-follow-up", li);
    body.after(...notes(c));
    const answer = $(".comment-reply-link", li);
    answer.href += c.id;
    answer.lastChild.textContent = fill(W.reply_to, { name: c.author_name });
    return li;
  };

  const setCount = (n) => ($(".comment-count").textContent = n ? `(${n})` : "");
  const count = () => +$(".comment-count").textContent.replace(/\D/g, ""); // "(12)", or "": 0

  // A reply goes under its parent, or beside it once the thread is `levels` deep.
  const insert = (c, at = here) => {
    const parent = c.parent_id && byId(c.parent_id);
    let into = list;
    if (parent && c.depth < levels) {
      into = $(":scope>.comment-replies,:scope>details>.comment-replies", parent);
      if (!into) {
        const box = parent.appendChild((c.depth >= fold ? folded : nested).cloneNode(true));
        into = box.matches("ol") ? box : $("ol", box);
      }
    } else if (parent) into = parent.parentElement;
    $(".comment-empty")?.remove();
    return into.appendChild(build(c, at));
  };

  // A baked comment may have been answered since the build.
  const refresh = (li, c) => {
    const card = $(":scope>.comment-card", li);
    if (!card) return;
    drop(":scope>.comment-answer,:scope>.comment-follow-up", card);
    $(":scope>.comment-body", card).after(...notes(c));
  };

  // What the page lacks is newer than the build; parents come first. The page's own
  // comments, baked from this very version of the thread, lack nothing (and rewriting
  // them would lay the page out again).
  const merge = (data, at) => {
    if (at == here && data.version == sec.dataset.porchVersion) return;
    data.comments.forEach((c) => {
      const li = byId(c.id);
      if (li) refresh(li, c);
      else insert(c, at);
    });
    setCount(data.count);
  };

  const load = (page) =>
    call(undefined, "?page=" + page)
      .then((r) => r.json())
      .then((data) => merge(data, page == last ? here : pageAt.replace("{number}", page)));

  const showMore = async (e) => {
    const next = e.target.closest(".comment-pages-next");
    if (!next) return;
    e.preventDefault();
    await load(last + 1);
    last += 1;
    sec.querySelectorAll(".comment-pages-where").forEach((e) => (e.textContent = fill(W.pages, { first: sec.dataset.porchPage, last, pages })));
    sec.querySelectorAll(".comment-pages-next").forEach((e) => {
      if (last < pages) e.href = pageAt.replace("{number}", last + 1);
      else e.remove();
    });
  };

  // Reply: the one reply form comes under this comment (again: it goes away).
  const answer = (e) => {
    const link = e.target.closest(".comment-reply-link");
    if (!link) return;
    e.preventDefault();
    const card = link.closest(".comment-card");
    if (reply.parentElement == card) return reply.remove();
    reply.elements.parent_id.value = card.parentElement.dataset.commentId;
    card.append(reply);
    reply.elements.body.focus();
  };
  sec.addEventListener("click", showMore);
  sec.addEventListener("click", answer);

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
      first ||= input;
    }
    first?.focus();
    if (!first) show(f, data.message || fill(W.not_sent, { status }));
  };

  const say = (after, cls, text) => {
    $("." + cls)?.remove();
    const note = h("p", cls, text);
    note.setAttribute("role", "status");
    after.after(note);
  };

  // The comment comes in place at once, a held one too (build marks it as its writer's alone).
  const done = (f, data, text) => {
    const after = f == reply ? f.parentElement : f; // a reply's notes follow the comment's card
    f.reset();
    f.lastChild.textContent = ""; // the preview, of the text just sent
    if (f == reply) f.remove();
    if (data.subscription == "confirm")
      say(after, "comment--subscription-note", $("#comment-status-confirm").textContent);
    const li = insert(data.comment);
    if (data.status == "approved") setCount(count() + 1);
    li.tabIndex = -1;
    li.focus();
    own(data, text); // last: it throws where the browser refuses storage (the rest is done)
  };

  // One Idempotency-Key per comment: a retry of the same text sends the same key, so the
  // service stores it once even when its answer was lost on the way back.
  const keys = new WeakMap(); // form -> { body, key }
  const newKey = () =>
    crypto.randomUUID?.() ?? // only on https and localhost pages
    Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

  // Since the page opened or the last comment was stored: sooner than PORCH_MIN_FILL_SECONDS is a
  // bot's (from the first keystroke would catch a reader whose browser fills the name in).
  let since = 0; // performance.now() counts from the page's opening
  let mine = {}; // this browser's own comments, as last read from storage

  sec.addEventListener("submit", async (e) => {
    const f = e.target;
    if (!f.matches(".comment-form")) return;
    e.preventDefault();
    drop(".field-error", f);
    f.querySelectorAll("[aria-invalid]").forEach((e) => {
      e.removeAttribute("aria-invalid");
      e.setAttribute("aria-describedby", e.getAttribute("aria-describedby").replace(/ \S+-error$/, ""));
    });
    show(f, "");
    const payload = {};
    for (const [key, value] of new FormData(f)) {
      const v = value.trim();
      if (v) payload[key] = key == "parent_id" ? +v : v;
    }
    const text = JSON.stringify(payload); // the comment itself: what one key stands for
    if (keys.get(f)?.body != text) keys.set(f, { body: text, key: newKey() });
    payload.fill_seconds = +((performance.now() - since) / 1000).toFixed(1);
    payload.own_tokens = Object.values(mine).map(([t]) => t); // proof of an earlier writer
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
      return show(f, W.unreachable);
    }
    const data = await res.json().catch(() => ({}));
    if (res.status != 201) return fail(f, res.status, data);
    keys.delete(f); // stored: whatever this form sends next is a new comment
    since = performance.now();
    // Only once the comment is stored: a new default replaces a prefilled field's value, so
    // unticking before sending would take the name away from this very comment.
    remember(f);
    done(f, data, payload.body);
  });

  // A link to a comment newer than the build can only be followed once it is inserted.
  const wanted = location.hash.slice(1);
  const missing = wanted.startsWith("comment-") && !document.getElementById(wanted);
  // A comment in folded replies is unfolded to be shown.
  const reveal = () => {
    let at = wanted && document.getElementById(wanted);
    if (!at) return;
    for (let d = at; (d = d.parentElement.closest("details")); ) d.open = true;
    if (missing || at.closest("details")) at.scrollIntoView();
  };
  load(last)
    .then(reveal)
    .catch(() => {}) // the baked comments stay
    .then(ownLoad);

  // The reader's own comments, by the tokens the service gave this browser (porch-own: id ->
  // [token, edit until, text, thread]): Edit and Delete while allowed, held ones shown, Preview.
  // Without storage (blocked by the browser) these throw in promises only: the rest works on.
  function kept(o) {
    if (o) localStorage.setItem("porch-own", JSON.stringify(o));
    return (mine = JSON.parse(localStorage.getItem("porch-own")) || {});
  }
  function own(d, text) {
    const o = kept();
    o[d.id] = [d.own_token, d.edit_until, text, api];
    kept(o);
    mark(byId(d.id), d.comment);
  }
  // A button of the reader's own tools; its second class says which, its text is the blog's word.
  function btn(what) {
    const b = h("button", "own " + what, W[what]);
    b.type = "button";
    return b;
  }
  // Beside this thread's address: the URL parser resolves the dots (…/api/comments/…).
  function send(path, method, body) {
    return call({ method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }, "/../../../" + path)
      .then(async (r) => [r.status, await r.json().catch(() => ({}))], () => [0, {}]);
  }
  function mark(li, c) {
    const [token, until] = kept()[c.id] || [];
    const card = $(":scope>.comment-card", li);
    if (!token || c.answered_by || c.got_in_touch) return;
    card.append(h("p", "own-bar", btn("edit"), btn("delete"), h("span", "hint own-left")));
    // The time left of the window the service gave (edit_until), by the minute, beside the
    // buttons and in the editor; all go when it closes.
    const tick = () => {
      const left = Date.parse(until) - Date.now();
      const m = Math.ceil(left / 6e4);
      if (left <= 0) return drop(".own-bar,.own-left", card);
      card.querySelectorAll(".own-left").forEach((e) => (e.textContent = fill(W.edit_left[new Intl.PluralRules(W.locale).select(m)], { num: m })));
      setTimeout(tick, left % 6e4 || 6e4);
    };
    tick();
  }
  function ownLoad() {
    const o = kept();
    const ids = Object.keys(o).filter((id) => o[id][3] == api);
    if (ids[0])
      send("comments/mine", "POST", { tokens: ids.map((id) => o[id][0]) }).then(([status, d]) => {
        if (status != 200) return;
        ids.forEach((id) => delete o[id]);
        d.comments.forEach((c) => {
          o[c.id] = kept()[c.id];
          const li = byId(c.id) || (c.status == "pending" && insert(c));
          if (li) mark(li, c);
        });
        kept(o);
      });
  }
  [...sec.querySelectorAll(".comment-form"), reply].forEach((f) => {
    f.appendChild(h("div", "comment-preview")).setAttribute("aria-live", "polite");
    $("[type=submit]", f).before(btn("preview"));
  });
  sec.addEventListener("click", async (e) => {
    const t = e.target.closest("button.own");
    if (!t) return;
    const what = t.classList[1];
    const f = t.form;
    if (f) {
      const [status, d] = await send("preview", "POST", { body: f.elements.body.value });
      // The service's sanitised HTML, or what it says is wrong
      return (f.lastChild[status == 200 ? "innerHTML" : "textContent"] = d.html || d.fields?.body || d.message);
    }
    const card = t.closest(".comment-card");
    const li = card.parentElement;
    const body = $(".comment-body", card);
    const box = t.parentElement;
    const id = li.dataset.commentId;
    const o = kept();
    const save = what == "save";
    if (what == "edit") {
      const area = h("textarea", "");
      area.value = o[id][2] || body.innerText;
      area.setAttribute("aria-label", W.your_comment);
      body.hidden = box.hidden = true;
      body.after(h("div", "own-editor", area, btn("save"), btn("cancel"), box.lastChild.cloneNode(true)));
      return area.focus();
    }
    if (what == "cancel") {
      drop(".own-editor,.own-note", card);
      card.querySelectorAll(".own-bar").forEach((e) => (e.hidden = false));
      return (body.hidden = false);
    }
    if (!save && !confirm(W.delete_ask)) return;
    const words = save && box.firstChild.value;
    const [status, d] = await send("comments/" + id, save ? "PATCH" : "DELETE", { token: o[id][0], body: words });
    if (status == 422) return say(box, "own-note", d.fields.body);
    if (status > 204) {
      drop(".own-bar,.own-editor", card);
      body.hidden = false;
      return say(body, "own-note", d.message || W.try_again);
    }
    if (save) {
      o[id][2] = words;
      card.replaceWith($(":scope>.comment-card", build(d.comment, here)));
      mark(li, d.comment);
    } else {
      delete o[id];
      if (!li.matches(".comment--held")) setCount(count() - 1);
      if (!$(":scope>ol,:scope>details", li)) li.remove();
      li.classList.add("comment--removed");
      card.replaceWith($("[data-slot=removed-on-request]", model).cloneNode(true));
    }
    kept(o);
  });
})();