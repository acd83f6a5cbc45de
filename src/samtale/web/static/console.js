/* Samtale agent console. Plain JavaScript, no framework; text nodes only (no HTML from data).
 *
 *   api        the console's JSON API (/api/v1/agent/…), with the session's CSRF token
 *   socket     the agent websocket: the shop's events and the agent's conversations, heartbeat
 *   lists      queue, my chats, offline messages, history, deletion on request
 *   chat       the open conversation: transcript, answers, what the bot found, send, typing, read, transfer, close
 *   order      the customer's order beside the chat (from the shop's system)
 *   notes      internal notes on the open conversation (staff only)
 *   attention  title badge and notification sound for new chats and messages
 */
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const root = $("console");
  if (!root) return;
  const T = JSON.parse($("console-texts").textContent || "{}");
  const t = (key, vars) => {
    let s = T[key] || key;
    for (const k in vars || {}) s = s.replace("{" + k + "}", vars[k]);
    return s;
  };
  const LOCALE = root.dataset.lang === "da" ? "da-DK" : "en-GB";
  const h = (tag, attrs, ...kids) => {
    const el = document.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "hook") el.dataset.hook = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    el.append(...kids.flat().filter((x) => x != null && x !== false).map((x) => (typeof x === "number" ? String(x) : x)));
    return el;
  };
  const fmtTime = (iso, withDate) => {
    const d = new Date(iso);
    if (isNaN(d)) return "";
    const opts = withDate ? { dateStyle: "short", timeStyle: "short" } : { hour: "2-digit", minute: "2-digit" };
    return new Intl.DateTimeFormat(LOCALE, opts).format(d);
  };
  const fmtWait = (seconds) => (seconds >= 60 ? t("minutes", { n: Math.floor(seconds / 60) }) : t("seconds", { n: Math.max(0, seconds) }));

  const S = {
    me: null,
    csrf: "",
    mine: new Set(), // my live conversations
    queue: [],
    queueCount: 0,
    chats: new Map(), // conversation id → {unread}
    current: null, // the open conversation's view
    cursor: 0,
    agents: [],
    requests: [],
    history: { offset: 0, total: 0, items: [] },
    privacyFound: [],
    badge: 0,
    ws: null,
    wsTries: 0,
  };

  /* ------------------------------------------------------------------ api */
  const api = async (method, path, body) => {
    if (method !== "GET" && !S.csrf) await booted; // the token comes with /me
    const headers = { accept: "application/json" };
    if (body) headers["content-type"] = "application/json";
    if (method !== "GET") headers["x-csrf-token"] = S.csrf;
    let res;
    try {
      res = await fetch("/api/v1/agent" + path, { method, headers, body: body && JSON.stringify(body), credentials: "same-origin", cache: "no-store" });
    } catch {
      return { status: 0, ok: false, data: null };
    }
    if (res.status === 401) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname);
      return { status: 401, ok: false, data: null };
    }
    let data = null;
    if (res.status !== 204) data = await res.json().catch(() => null);
    return { status: res.status, ok: res.ok, data };
  };
  const errorText = (r) => (r.data && r.data.error && r.data.error.message) || t("error");

  /* ------------------------------------------------------------ attention */
  const baseTitle = document.title;
  let audio = null;
  const beep = () => {
    if (!$("sound").checked) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.4);
    } catch {
      /* no sound available */
    }
  };
  const setBadge = (n) => {
    S.badge = Math.max(0, n);
    document.title = (S.badge ? `(${S.badge}) ` : "") + baseTitle;
    root.dataset.badge = String(S.badge);
  };
  const attention = () => {
    setBadge(S.badge + 1);
    beep();
  };
  const calm = () => {
    if (!document.hidden) setBadge(0);
  };
  document.addEventListener("visibilitychange", () => {
    calm();
    markRead();
  });
  window.addEventListener("focus", calm);

  /* ----------------------------------------------------------------- tabs */
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const showTab = (name) => {
    for (const tab of tabs) {
      const on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      $("view-" + tab.dataset.tab).hidden = !on;
    }
    if (name === "history") loadHistory(true);
    if (name === "requests") loadRequests();
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => showTab(tab.dataset.tab));
    tab.addEventListener("keydown", (e) => {
      const i = tabs.indexOf(tab);
      const j = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
      if (j === undefined) return;
      e.preventDefault();
      const next = tabs[(j + tabs.length) % tabs.length];
      next.focus();
      showTab(next.dataset.tab);
    });
  }
  const setCount = (name, n) => {
    const el = document.querySelector(`[data-count="${name}"]`);
    if (el) el.textContent = String(n);
  };

  /* ------------------------------------------------------------- presence */
  const presence = $("presence");
  const showPresence = (status) => {
    presence.value = status;
    $("presence-dot").className = "dot " + status;
  };
  presence.addEventListener("change", async () => {
    const status = presence.value;
    const r = await api("POST", "/presence", { status });
    if (r.ok) showPresence(status);
    // A user gesture: the browser lets the notification sound play from now on.
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      audio.resume();
    } catch {
      /* no sound */
    }
  });

  /* ---------------------------------------------------------------- queue */
  const summary = (answers) => {
    const pick = (kind) => (answers || []).find((a) => a.kind === kind);
    const name = pick("name");
    const topic = pick("choice");
    return [name && name.value, topic && topic.value].filter(Boolean).join(" · ");
  };
  const loadQueue = async () => {
    const r = await api("GET", "/queue");
    if (!r.ok || !r.data) return;
    const before = new Set(S.queue.map((q) => q.handoff_id));
    S.queue = r.data.queue;
    const fresh = S.queue.filter((q) => !before.has(q.handoff_id));
    if (before.size || S.queueLoaded) for (const q of fresh) if (q.fits_me || !S.queue.some((x) => x.fits_me)) attention();
    S.queueLoaded = true;
    renderQueue();
  };
  let queueTimer = 0;
  const queueSoon = () => {
    clearTimeout(queueTimer);
    queueTimer = setTimeout(loadQueue, 150);
  };
  const renderQueue = () => {
    const list = $("queue-list");
    list.replaceChildren(
      ...S.queue.map((q) =>
        h("li", { class: "item" + (q.fits_me ? " fits" : "") + (S.current && S.current.conversation_id === q.conversation_id ? " active" : ""), hook: "queue-item", "data-conversation": q.conversation_id },
          h("button", { type: "button", class: "open", onclick: () => openConversation(q.conversation_id, q) },
            h("span", { class: "line1" }, h("strong", null, summary(q.answers) || t("customer")), h("span", { class: "lang" }, q.language.toUpperCase())),
            h("span", { class: "line2 muted" }, t("waiting", { time: fmtWait(q.waited_seconds) }), q.requeued ? h("span", { class: "badge warn" }, t("requeued")) : null, q.fits_me ? h("span", { class: "badge ok" }, t("fits")) : null)),
          h("button", { type: "button", class: "primary small", hook: "claim-item", onclick: () => claim(q) }, t("claim"))))
    );
    $("queue-empty").hidden = S.queue.length > 0;
    setCount("queue", S.queue.length);
  };
  // Waiting times move on their own.
  setInterval(() => {
    for (const q of S.queue) q.waited_seconds += 15;
    if (S.queue.length) renderQueue();
  }, 15000);

  const claim = async (q) => {
    const r = await api("POST", `/handoffs/${q.handoff_id}/claim`);
    if (r.ok) {
      S.mine.add(r.data.conversation_id);
      await loadChats();
      await openConversation(r.data.conversation_id);
      showTab("chats");
      $("reply").focus();
    } else {
      const code = r.data && r.data.error && r.data.error.code;
      const message = code === "already_claimed" ? t("claimed_by_other") + " " + errorText(r) : code === "at_capacity" ? t("at_capacity") : errorText(r);
      await openConversation(q.conversation_id, q);
      showError(message);
    }
    loadQueue();
  };

  /* ------------------------------------------------------------- my chats */
  const loadChats = async () => {
    const r = await api("GET", "/me");
    if (!r.ok || !r.data) return;
    S.me = r.data;
    S.csrf = r.data.csrf_token;
    S.mine = new Set(r.data.agent.conversations);
    for (const id of S.mine) if (!S.chats.has(id)) S.chats.set(id, { unread: 0 });
    for (const id of [...S.chats.keys()]) if (!S.mine.has(id)) S.chats.delete(id);
    renderChats();
  };
  const renderChats = () => {
    const items = [...S.chats.entries()].map(([id, c]) =>
      h("li", { class: "item" + (S.current && S.current.conversation_id === id ? " active" : ""), hook: "chat-item", "data-conversation": id },
        h("button", { type: "button", class: "open", onclick: () => openConversation(id) },
          h("span", { class: "line1" }, h("strong", null, c.label || t("customer")), c.unread ? h("span", { class: "badge bad", hook: "unread" }, c.unread) : null),
          h("span", { class: "line2 muted" }, c.last || ""))));
    $("chat-list").replaceChildren(...items);
    $("chats-empty").hidden = items.length > 0;
    setCount("chats", S.chats.size);
  };

  /* ------------------------------------------------------- offline messages */
  const loadRequests = async () => {
    const r = await api("GET", "/offline-messages");
    if (!r.ok || !r.data) return;
    S.requests = r.data.offline_messages;
    const open = S.requests.filter((m) => m.status === "open").length;
    setCount("requests", open);
    $("requests-empty").hidden = S.requests.length > 0;
    $("request-list").replaceChildren(...S.requests.map(renderRequest));
  };
  const renderRequest = (m) => {
    const text = h("textarea", { rows: 3, maxlength: 4000, "aria-label": t("reply_email"), disabled: !S.me || !S.me.mail_enabled || m.status !== "open" });
    const note = h("p", { class: "small", role: "status" });
    const send = h("button", { type: "button", class: "primary small", disabled: !S.me || !S.me.mail_enabled || m.status !== "open", onclick: async () => {
      if (!text.value.trim()) return text.focus();
      send.disabled = true;
      const r = await api("POST", `/offline-messages/${m.id}/reply`, { text: text.value.trim() });
      if (r.ok) {
        note.textContent = t("reply_sent");
        loadRequests();
      } else {
        note.textContent = errorText(r);
        send.disabled = false;
      }
    } }, t("reply_email"));
    return h("li", { class: "item request", hook: "request-item" },
      h("p", { class: "line1" }, h("strong", null, m.name || m.email), h("span", { class: "badge " + (m.status === "open" ? "warn" : "ok") }, m.status === "open" ? t("open") : t("answered"))),
      h("p", { class: "muted small" }, [m.name ? m.email : "", fmtTime(m.created_at, true), m.language.toUpperCase(), m.answered_by].filter(Boolean).join(" · ")),
      h("p", { class: "request-text" }, m.text),
      m.status !== "open" ? null : S.me && S.me.mail_enabled ? h("div", { class: "reply" }, text, send, note) : h("p", { class: "muted small" }, t("mail_off")),
      h("button", { type: "button", class: "link", onclick: () => openConversation(m.conversation_id) }, t("transcript")));
  };

  /* ---------------------------------------------------------------- history */
  const loadHistory = async (reset) => {
    if (reset) S.history = { offset: 0, total: 0, items: [] };
    const form = new FormData($("history-form"));
    const q = new URLSearchParams({ offset: String(S.history.offset), limit: "50" });
    for (const [k, v] of form) if (v) q.set(k, v);
    const r = await api("GET", "/history?" + q);
    if (!r.ok || !r.data) return;
    S.history.items.push(...r.data.conversations);
    S.history.total = r.data.total;
    S.history.offset = S.history.items.length;
    $("history-list").replaceChildren(...S.history.items.map((c) =>
      h("li", { class: "item", hook: "history-item" },
        h("button", { type: "button", class: "open", onclick: () => openConversation(c.conversation_id) },
          h("span", { class: "line1" }, h("strong", null, fmtTime(c.last_activity_at, true)), h("span", { class: "badge" }, t("state." + (c.kind === "offline" ? "offline" : c.state)))),
          h("span", { class: "line2 muted" }, [c.language.toUpperCase(), c.agents.join(", "), c.outcome ? t("outcome." + c.outcome) : "", c.rating ? "★".repeat(c.rating) : ""].filter(Boolean).join(" · "))))));
    $("history-empty").hidden = S.history.items.length > 0;
    $("history-more").hidden = S.history.items.length >= S.history.total;
  };
  $("history-form").addEventListener("submit", (e) => {
    e.preventDefault();
    loadHistory(true);
  });
  $("history-more").addEventListener("click", () => loadHistory(false));
  const fillAgents = async () => {
    const r = await api("GET", "/agents");
    if (!r.ok || !r.data) return;
    S.agents = r.data.agents;
    const sel = $("h-agent");
    const keep = sel.value;
    sel.replaceChildren(h("option", { value: "" }, t("any")), ...S.agents.map((a) => h("option", { value: a.id }, a.name)));
    sel.value = keep;
  };

  /* ---------------------------------------------------------------- privacy */
  $("privacy-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { by: $("p-by").value, value: $("p-value").value.trim() };
    if (!body.value) return;
    const r = await api("POST", "/privacy/find", body);
    if (!r.ok) return ($("privacy-result").textContent = errorText(r));
    S.privacyFound = r.data.conversations;
    $("privacy-result").textContent = t("found", { n: S.privacyFound.length });
    $("privacy-list").replaceChildren(...S.privacyFound.map((c) =>
      h("li", { class: "item" }, h("button", { type: "button", class: "open", onclick: () => openConversation(c.conversation_id) },
        h("span", { class: "line1" }, h("strong", null, fmtTime(c.started_at, true)), h("span", { class: "badge" }, t("state." + c.state))),
        h("span", { class: "line2 muted" }, c.language.toUpperCase() + " · " + c.messages + " · " + c.conversation_id.slice(0, 8))))));
    $("privacy-delete").hidden = !S.privacyFound.length;
  });
  $("privacy-delete").addEventListener("click", async () => {
    const n = S.privacyFound.length;
    if (!n || !confirm(t("confirm_delete", { n }))) return;
    const body = { by: $("p-by").value, value: $("p-value").value.trim() };
    const r = await api("POST", "/privacy/delete", body);
    $("privacy-result").textContent = r.ok ? t("deleted", { n: r.data.deleted }) : errorText(r);
    if (r.ok) {
      if (S.current && S.privacyFound.some((c) => c.conversation_id === S.current.conversation_id)) clearChat();
      S.privacyFound = [];
      $("privacy-list").replaceChildren();
      $("privacy-delete").hidden = true;
      loadQueue();
      loadChats();
    }
  });

  /* ------------------------------------------------------------------ chat */
  const AUTHORS = { visitor: "visitor", bot: "bot", system: "system" };
  const renderMessage = (m) => {
    const who = m.author === "agent" ? m.agent_name || t("agent") : t(AUTHORS[m.author] || "system");
    const card = cardOf(m.payload);
    return h("li", { class: "msg " + m.author, "data-cursor": m.cursor, "data-id": m.id, hook: "message" },
      h("span", { class: "meta" }, h("span", { class: "who" }, who), " ", h("time", { datetime: m.created_at }, fmtTime(m.created_at))),
      m.text ? h("p", { class: "text" }, m.text) : null,
      card,
      fileList(m),
      m.author === "agent" ? h("span", { class: "seen", hidden: true }, t("seen")) : null);
  };
  // What the bot showed the customer (tracking, products), in a line.
  const cardOf = (p) => {
    if (!p || typeof p !== "object") return null;
    if (p.type === "tracking") return h("p", { class: "card small" }, [t("tracking"), p.status_text, p.carrier_name, p.tracking_number].filter(Boolean).join(" · "));
    if (Array.isArray(p.items) && p.items.length) return h("p", { class: "card small" }, p.items.slice(0, 5).map((i) => i && i.name).filter(Boolean).join(" · "));
    return null;
  };
  const showError = (message) => {
    const el = $("chat-error");
    el.textContent = message || "";
    el.hidden = !message;
  };
  const clearChat = () => {
    S.current = null;
    $("chat-body").hidden = true;
    $("chat-placeholder").hidden = false;
    $("answers").replaceChildren(h("dd", { class: "muted" }, t("no_answers")));
    $("context-section").hidden = true;
    $("details").replaceChildren();
    renderNotes(null);
    renderOrder(null);
    renderQueue();
    renderChats();
  };
  const dl = (rows) => rows.filter((r) => r[1] != null && r[1] !== "").flatMap(([k, v]) => [h("dt", null, k), h("dd", null, String(v))]);

  const openConversation = async (id, queued) => {
    showError("");
    const r = await api("GET", `/conversations/${id}`);
    if (!r.ok || !r.data) return showError(errorText(r));
    const v = r.data;
    if (S.current && S.current.conversation_id !== id) sendTyping(false);
    S.current = v;
    S.queued = queued || S.queue.find((q) => q.conversation_id === id) || null;
    S.cursor = 0;
    $("chat-placeholder").hidden = true;
    $("chat-body").hidden = false;
    const last = v.handoffs[v.handoffs.length - 1];
    const answers = last ? last.answers : [];
    const name = answers.find((a) => a.kind === "name");
    $("chat-title").textContent = (name && name.value) || (v.offline_message && (v.offline_message.name || v.offline_message.email)) || t("customer");
    $("transcript").replaceChildren();
    for (const m of v.messages) appendMessage(m);
    // Answers, what the bot found, details.
    $("answers").replaceChildren(...(answers.length ? dl(answers.map((a) => [a.label, a.value])) : [h("dd", { class: "muted" }, t("no_answers"))]));
    if (v.offline_message) $("answers").replaceChildren(...dl([[t("email"), v.offline_message.email], [t("name"), v.offline_message.name], [t("message"), v.offline_message.text]]));
    renderFound(v.found);
    renderNotes(v.notes);
    loadOrder(v.conversation_id);
    $("details").replaceChildren(...dl([
      [t("state"), t("state." + v.state)],
      [t("language"), v.language.toUpperCase()],
      [t("started"), fmtTime(v.started_at, true)],
      [t("page"), v.page_path],
      [t("agent"), v.handoffs.map((x) => x.agent_name).filter(Boolean).join(", ")],
      [t("rating"), last && last.rating ? "★".repeat(last.rating) + " (" + last.rating + "/5)" : null],
      [t("rating_comment"), last && last.rating_comment],
    ]));
    const chat = S.chats.get(id);
    if (chat) {
      chat.unread = 0;
      chat.label = $("chat-title").textContent;
    }
    if (S.ws && S.ws.readyState === 1) S.ws.send(JSON.stringify({ type: "watch", conversation_id: id }));
    updateActions();
    renderQueue();
    renderChats();
    scrollDown();
    markRead();
  };
  // What the bot found, as the server named it in the agent's language: topic · label → value.
  const renderFound = (found) => {
    const rows = (found || []).map((r) => [r.topic ? `${r.topic} · ${r.label}` : r.label, r.value]);
    $("context").replaceChildren(...dl(rows));
    $("context-section").hidden = !rows.length;
  };
  const updateActions = () => {
    const v = S.current;
    if (!v) return;
    const mine = S.mine.has(v.conversation_id) && v.state === "live";
    const queued = v.state === "queued" && S.queue.some((q) => q.conversation_id === v.conversation_id);
    $("claim").hidden = !queued;
    $("close-group").hidden = !mine;
    $("transfer-group").hidden = !mine;
    $("composer").hidden = !mine;
    $("delete-one").hidden = false;
    const note = $("chat-note");
    note.hidden = mine;
    note.textContent = v.state === "closed" ? t("closed_note") : t("read_only");
    if (mine) fillTransfer();
  };
  const fillTransfer = async () => {
    await fillAgents();
    const others = S.agents.filter((a) => a.id !== S.me.agent.id && a.status === "online" && a.active < a.capacity);
    $("transfer-to").replaceChildren(...(others.length ? others.map((a) => h("option", { value: a.id }, `${a.name} (${a.active}/${a.capacity})`)) : [h("option", { value: "" }, t("transfer_none"))]));
    $("transfer").disabled = !others.length;
  };
  const appendMessage = (m) => {
    const list = $("transcript");
    if (list.querySelector(`[data-id="${CSS.escape(m.id)}"]`)) return;
    const el = renderMessage(m);
    const after = [...list.children].find((c) => +c.dataset.cursor > m.cursor);
    list.insertBefore(el, after || null);
    if (m.cursor > S.cursor) S.cursor = m.cursor;
    if (m.author === "visitor") $("typing").hidden = true;
  };
  const scrollDown = () => {
    const list = $("transcript");
    requestAnimationFrame(() => (list.scrollTop = list.scrollHeight));
  };
  const markRead = () => {
    const v = S.current;
    if (!v || document.hidden || !S.mine.has(v.conversation_id) || !S.ws || S.ws.readyState !== 1) return;
    if (S.readSent === `${v.conversation_id}:${S.cursor}`) return;
    S.readSent = `${v.conversation_id}:${S.cursor}`;
    S.ws.send(JSON.stringify({ type: "read", conversation_id: v.conversation_id, cursor: S.cursor }));
  };
  const showSeen = (cursor) => {
    for (const el of $("transcript").querySelectorAll(".msg.agent")) {
      const seen = el.querySelector(".seen");
      if (seen) seen.hidden = true;
    }
    const agentMsgs = [...$("transcript").querySelectorAll(".msg.agent")].filter((el) => +el.dataset.cursor <= cursor);
    const last = agentMsgs[agentMsgs.length - 1];
    if (last) last.querySelector(".seen").hidden = false;
  };

  $("claim").addEventListener("click", () => {
    const q = S.queue.find((x) => S.current && x.conversation_id === S.current.conversation_id);
    if (q) claim(q);
  });
  $("close").addEventListener("click", async () => {
    const v = S.current;
    if (!v) return;
    const r = await api("POST", `/conversations/${v.conversation_id}/close`, { outcome: $("outcome").value });
    if (!r.ok) return showError(errorText(r));
    S.mine.delete(v.conversation_id);
    S.chats.delete(v.conversation_id);
    await openConversation(v.conversation_id);
  });
  $("transfer").addEventListener("click", async () => {
    const v = S.current;
    const to = $("transfer-to").value;
    if (!v || !to) return;
    const r = await api("POST", `/conversations/${v.conversation_id}/transfer`, { agent_id: to });
    if (!r.ok) return showError(errorText(r));
    S.mine.delete(v.conversation_id);
    S.chats.delete(v.conversation_id);
    await openConversation(v.conversation_id);
  });
  $("delete-one").addEventListener("click", async () => {
    const v = S.current;
    if (!v || !confirm(t("confirm_delete", { n: 1 }))) return;
    const r = await api("DELETE", `/conversations/${v.conversation_id}`);
    if (!r.ok) return showError(errorText(r));
    S.mine.delete(v.conversation_id);
    S.chats.delete(v.conversation_id);
    clearChat();
    loadQueue();
  });

  // The composer: Enter sends, Shift+Enter breaks the line; typing is signalled every 2 s.
  const reply = $("reply");
  let typingSent = 0;
  let typingOn = false;
  let typingStop = 0;
  const sendTyping = (on) => {
    const v = S.current;
    if (!v || !S.mine.has(v.conversation_id) || !S.ws || S.ws.readyState !== 1) return;
    if (on === typingOn && (!on || Date.now() - typingSent < 2000)) return;
    typingOn = on;
    typingSent = Date.now();
    S.ws.send(JSON.stringify({ type: "typing", conversation_id: v.conversation_id, typing: on }));
  };
  reply.addEventListener("input", () => {
    sendTyping(!!reply.value.trim());
    clearTimeout(typingStop);
    typingStop = setTimeout(() => sendTyping(false), 5000);
  });
  reply.addEventListener("blur", () => sendTyping(false));
  reply.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("composer").requestSubmit();
    }
  });
  const newClientId = () =>
    window.crypto && crypto.randomUUID
      ? crypto.randomUUID()
      : Date.now().toString(36) + Math.random().toString(36).slice(2);
  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = S.current;
    const text = reply.value.trim();
    if (!v || !text) return;
    // One id per text: sending the same text again after a failed answer (the server may
    // have stored it) is a retry, and the server stores it once.
    if (!S.pending || S.pending.text !== text || S.pending.conversation !== v.conversation_id) {
      S.pending = { text, conversation: v.conversation_id, client_id: newClientId() };
    }
    reply.value = "";
    sendTyping(false);
    const r = await api("POST", `/conversations/${v.conversation_id}/messages`, {
      text,
      client_id: S.pending.client_id,
    });
    if (!r.ok) {
      reply.value = text;
      return showError(errorText(r));
    }
    S.pending = null;
    showError("");
  });
  $("canned").addEventListener("change", () => {
    const i = $("canned").value;
    const c = S.me && S.me.canned_replies[+i];
    if (c) {
      const at = reply.selectionStart || reply.value.length;
      reply.value = reply.value.slice(0, at) + c.text + reply.value.slice(at);
      reply.dispatchEvent(new Event("input"));
    }
    $("canned").value = "";
    reply.focus();
  });

  /* ----------------------------------------------------------------- order */
  // The customer's order as the shop's system has it, when the form or the bot found it.
  const loadOrder = async (id) => {
    renderOrder(null);
    const r = await api("GET", `/conversations/${id}/order`);
    if (!r.ok || !r.data || !S.current || S.current.conversation_id !== id) return;
    renderOrder(r.data);
  };
  const renderOrder = (data) => {
    const box = $("order");
    if (!data || (!data.order && !data.unavailable)) {
      $("order-section").hidden = true;
      return box.replaceChildren();
    }
    $("order-section").hidden = false;
    if (!data.order) return box.replaceChildren(h("p", { class: "muted small" }, t("order_unavailable")));
    const o = data.order;
    const status = o.cancelled ? t("order_cancelled") : o.shipments.length ? o.shipments.map((s) => s.status_text).join(" · ") : t("order_not_sent");
    box.replaceChildren(...[
      h("dl", null, ...dl([[t("order_number"), o.order_number], [t("order_placed"), o.placed_text], [t("order_status"), status]])),
      o.items.length ? h("h3", { class: "small" }, t("order_items")) : null,
      o.items.length ? h("ul", { class: "order-items" }, o.items.map((i) => h("li", null, `${i.quantity} × ${i.name}` + [i.colour, i.size].filter(Boolean).map((x) => `, ${x}`).join("")))) : null,
      o.shipments.length ? h("h3", { class: "small" }, t("order_parcels")) : null,
      o.shipments.length
        ? h("ul", { class: "order-parcels" }, o.shipments.map((s) =>
            h("li", { hook: "parcel" },
              [s.carrier_name, s.status_text, s.expected_delivery_text].filter(Boolean).join(" · "), " ",
              s.tracking_url ? h("a", { href: s.tracking_url, target: "_blank", rel: "noopener noreferrer" }, t("order_track") + " " + s.tracking_number) : h("span", null, s.tracking_number))))
        : null,
      o.status_url ? h("p", { class: "small" }, h("a", { href: o.status_url, target: "_blank", rel: "noopener noreferrer" }, t("order_page"))) : null,
    ].filter(Boolean));
  };

  /* ----------------------------------------------------------------- notes */
  // Internal notes on the open conversation: staff only, never sent to the customer.
  const renderNotes = (notes) => {
    $("notes-section").hidden = !notes;
    if (!notes) return $("notes").replaceChildren();
    $("notes").replaceChildren(
      ...(notes.length
        ? notes.map((n) =>
            h("li", { class: "note", "data-id": n.id, hook: "note" },
              h("span", { class: "meta" }, h("span", { class: "who" }, n.author_name || t("agent")), " ", h("time", { datetime: n.created_at }, fmtTime(n.created_at, true))),
              h("p", { class: "text" }, n.text),
              n.author_id === S.me.agent.id || S.me.agent.role === "admin"
                ? h("button", { type: "button", class: "link-danger small", onclick: () => deleteNote(n.id) }, t("note_delete"))
                : null))
        : [h("li", { class: "muted small" }, t("no_notes"))]));
  };
  const reloadNotes = async (id) => {
    const r = await api("GET", `/conversations/${id}/notes`);
    if (r.ok && r.data && S.current && S.current.conversation_id === id) renderNotes(r.data.notes);
  };
  const deleteNote = async (noteId) => {
    const r = await api("DELETE", `/notes/${noteId}`);
    if (!r.ok) return showError(errorText(r));
    if (S.current) reloadNotes(S.current.conversation_id);
  };
  $("note-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = S.current;
    const text = $("note-text").value.trim();
    if (!v || !text) return;
    const r = await api("POST", `/conversations/${v.conversation_id}/notes`, { text });
    if (!r.ok) return showError(errorText(r));
    $("note-text").value = "";
    reloadNotes(v.conversation_id);
  });

  /* ----------------------------------------------------------- attachments */
  // Photos and PDFs in the chat: the customer's are shown as previews and open in full; the
  // agent's paperclip uploads files (the raw body; the server checks and re-encodes them) and
  // sends them as one message, with what is written in the reply box.
  const fileList = (m) => {
    const files = m.payload && Array.isArray(m.payload.attachments) ? m.payload.attachments : [];
    const v = S.current;
    if (!files.length || !v) return null;
    const base = `/api/v1/agent/conversations/${encodeURIComponent(v.conversation_id)}/attachments/`;
    return h("ul", { class: "files", hook: "files" }, files.map((a) => {
      const url = base + encodeURIComponent(a.id);
      const size = a.size >= 1048576 ? (a.size / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(a.size / 1024)) + " KB";
      return h("li", null, h("a", { href: url, target: "_blank", rel: "noopener", hook: "file" },
        a.thumbnail ? h("img", { src: url + "/thumbnail", alt: String(a.name || "") }) : null,
        h("span", null, t("attachment_open", { name: String(a.name || ""), size }))));
    }));
  };
  const uploadFiles = async (list) => {
    const v = S.current;
    if (!v || !list.length) return;
    if (!S.csrf) await booted;
    const ids = [];
    const button = $("attach");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    for (const f of [...list].slice(0, 10)) {
      let res = null;
      let data = null;
      try {
        res = await fetch(`/api/v1/agent/conversations/${encodeURIComponent(v.conversation_id)}/attachments?name=${encodeURIComponent(f.name || "")}`, { method: "POST", headers: { "x-csrf-token": S.csrf }, body: f, credentials: "same-origin" });
        data = await res.json().catch(() => null);
      } catch {
        /* said below */
      }
      if (res && res.status === 201 && data) ids.push(data.attachment.id);
      else showError(errorText({ data }));
    }
    button.disabled = false;
    button.removeAttribute("aria-busy");
    if (!ids.length) return;
    const text = reply.value.trim();
    const r = await api("POST", `/conversations/${v.conversation_id}/messages`, { text, attachments: ids, client_id: newClientId() });
    if (!r.ok) return showError(errorText(r));
    if (text) reply.value = "";
    showError("");
  };
  $("attach").addEventListener("click", () => $("attach-file").click());
  $("attach-file").addEventListener("change", (e) => {
    uploadFiles(e.target.files);
    e.target.value = "";
  });
  reply.addEventListener("paste", (e) => {
    const files = e.clipboardData && e.clipboardData.files;
    if (files && files.length) {
      e.preventDefault();
      uploadFiles(files);
    }
  });
  $("composer").addEventListener("dragover", (e) => e.preventDefault());
  $("composer").addEventListener("drop", (e) => {
    e.preventDefault();
    uploadFiles(e.dataTransfer.files);
  });

  /* ---------------------------------------------------------------- socket */
  const EVENTS = {
    ready: (f) => {
      S.wsTries = 0;
      $("conn-banner").hidden = true;
      S.mine = new Set(f.conversations);
      loadChats();
      loadQueue();
      if (S.current) openConversation(S.current.conversation_id);
    },
    queue: (f) => {
      if (f.conversation_id) return; // a customer's position: not for agents
      queueSoon();
    },
    assigned: (f) => {
      if (f.agent_id === S.me.agent.id) {
        S.mine.add(f.conversation_id);
        if (!S.chats.has(f.conversation_id)) {
          S.chats.set(f.conversation_id, { unread: 0 });
          attention();
        }
        renderChats();
      }
      if (S.current && S.current.conversation_id === f.conversation_id) openConversation(f.conversation_id);
      queueSoon();
    },
    released: (f) => {
      if (f.agent_id === S.me.agent.id) {
        S.mine.delete(f.conversation_id);
        S.chats.delete(f.conversation_id);
        renderChats();
      }
      if (S.current && S.current.conversation_id === f.conversation_id) openConversation(f.conversation_id);
    },
    presence: () => (S.current && S.mine.has(S.current.conversation_id) ? fillTransfer() : null),
    offline_message: (f) => {
      if (f.status !== "answered") attention();
      loadRequests();
    },
    // The customer rated the open chat: show the rating and its comment.
    rated: (f) => (S.current && S.current.conversation_id === f.conversation_id ? openConversation(f.conversation_id) : null),
    notes: (f) => (S.current && S.current.conversation_id === f.conversation_id ? reloadNotes(f.conversation_id) : null),
    conversations_deleted: (f) => {
      const ids = new Set(f.conversation_ids || []);
      if (S.current && ids.has(S.current.conversation_id)) clearChat();
      for (const id of ids) S.chats.delete(id);
      renderChats();
      queueSoon();
    },
    deleted: (f) => EVENTS.conversations_deleted({ conversation_ids: [f.conversation_id] }),
    message: (f) => {
      const m = f.message;
      const id = f.conversation_id;
      const chat = S.chats.get(id);
      if (chat && m.author === "visitor") chat.last = m.text.slice(0, 60);
      if (S.current && S.current.conversation_id === id) {
        if (m.cursor > S.cursor + 1) return openConversation(id); // missed something: read again
        appendMessage(m);
        scrollDown();
        if (m.author === "visitor" && document.hidden) attention();
        markRead();
      } else if (chat && m.author === "visitor") {
        chat.unread += 1;
        attention();
      }
      renderChats();
    },
    typing: (f) => {
      if (!S.current || S.current.conversation_id !== f.conversation_id || f.author !== "visitor") return;
      const el = $("typing");
      el.hidden = !f.typing;
      clearTimeout(S.typingHide);
      if (f.typing) S.typingHide = setTimeout(() => (el.hidden = true), 8000);
    },
    read: (f) => {
      if (S.current && S.current.conversation_id === f.conversation_id && f.author === "visitor") showSeen(f.cursor);
    },
    state: (f) => {
      if (S.current && S.current.conversation_id === f.conversation_id) {
        S.current.state = f.state;
        updateActions();
      }
    },
    ping: () => S.ws && S.ws.send(JSON.stringify({ type: "pong" })),
    pong: () => {},
    resync: () => {
      loadQueue();
      loadChats();
      if (S.current) openConversation(S.current.conversation_id);
    },
    error: (f) => console.warn("console:", f.error && f.error.code),
  };
  const connect = () => {
    const ws = new WebSocket(location.origin.replace(/^http/, "ws") + "/api/v1/agent/ws");
    S.ws = ws;
    ws.onmessage = (e) => {
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      const fn = EVENTS[f.type];
      if (fn) fn(f);
    };
    ws.onclose = (e) => {
      if (S.ws !== ws) return;
      S.ws = null;
      if (e.code === 4401) return (location.href = "/login?next=/console");
      $("conn-banner").hidden = false;
      const delay = Math.min(30000, 1000 * 2 ** S.wsTries++);
      setTimeout(connect, delay * (0.6 + Math.random() * 0.4));
    };
  };
  // The heartbeat that keeps the agent present (and their chats theirs).
  setInterval(() => {
    if (S.ws && S.ws.readyState === 1) S.ws.send(JSON.stringify({ type: "ping" }));
    else api("POST", "/heartbeat");
  }, 20000);

  /* ------------------------------------------------------------------ boot */
  const boot = async () => {
    const r = await api("GET", "/me");
    if (!r.ok || !r.data) return;
    S.me = r.data;
    S.csrf = r.data.csrf_token;
    showPresence(r.data.agent.status);
    $("outcome").replaceChildren(...r.data.outcomes.map((o) => h("option", { value: o }, t("outcome." + o))));
    $("canned").append(...r.data.canned_replies.map((c, i) => h("option", { value: String(i) }, c.title + (c.language ? ` (${c.language.toUpperCase()})` : ""))));
    S.mine = new Set(r.data.agent.conversations);
    for (const id of S.mine) S.chats.set(id, { unread: 0 });
    renderChats();
    await Promise.all([loadQueue(), loadRequests(), fillAgents()]);
    connect();
  };
  const booted = boot();
})();
