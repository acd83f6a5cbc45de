/*! Samtale chat widget | Apache-2.0 | readable source: src/samtale/web/static/widget.js in the Samtale repository */
/*
 * One script tag on the shop's page:
 *   <script src="https://<samtale host>/widget.js" data-samtale-key="<widget key>" async></script>
 *
 * How it is put together (read top to bottom):
 *   texts      every widget text in da, sv, nb, fi, en
 *   helpers    DOM building from text nodes only (no HTML parsing anywhere), icons, URLs, storage
 *   api        fetch wrapper for the visitor API
 *   render     one renderer per message kind and per payload kind (RENDER, CARDS)
 *   live       the connection state machine: websocket → polling fallback → retrying
 *   outbox     messages are queued with a client_id and sent exactly once, in order
 *   ui         launcher (drawn at load), window (built on first open), menu, composer, focus
 *   public API window.Samtale.open() / close() / toggle() / on(event, fn) / off(event, fn)
 *
 * Extending it (the handoff adds a pre-chat form and the queue): add a frame handler to FRAMES,
 * a payload renderer to CARDS, a state to STATE_CLASSES — nothing else needs to change.
 */
(() => {
  "use strict";
  const W = window;
  const D = document;
  if (W.Samtale && W.Samtale.version) return; // loaded twice
  const script = D.currentScript || D.querySelector("script[data-samtale-key]");
  const KEY = script && script.dataset.samtaleKey;
  if (!KEY) {
    console.warn("Samtale: the script tag needs data-samtale-key.");
    return;
  }
  const VERSION = "1";
  const ORIGIN = new URL(script.src, location.href).origin;
  const API = ORIGIN + "/api/v1";
  const LANGS = ["da", "sv", "nb", "fi", "en"];
  const LOCALES = { da: "da-DK", sv: "sv-SE", nb: "nb-NO", fi: "fi-FI", en: "en-GB" };

  /* ---------------------------------------------------------------- texts */
  const TEXTS = {
    da: {
      open: "Åbn chat", close: "Luk chat", menu: "Chatmenu", download: "Download samtalen",
      print: "Udskriftsvenlig version", human: "Tal med en person", delete: "Slet samtalen",
      privacy: "Privatlivspolitik", confirmTitle: "Slet samtalen?",
      confirmText: "Samtalen slettes hos os med det samme og kan ikke gendannes.",
      cancel: "Annuller", confirm: "Slet", deleted: "Samtalen er slettet.",
      label: "Skriv en besked", placeholder: "Skriv en besked …", send: "Send",
      left: "{n} tegn tilbage", over: "{n} tegn for meget",
      offline: "Forbindelsen er afbrudt – prøver igen …", sending: "Sender …",
      waiting: "Sendes, når forbindelsen er tilbage", failed: "Kunne ikke sendes",
      typing: "{name} skriver …", you: "Dig", unread: "{n} ulæste beskeder",
      talk: "Jeg vil gerne tale med en person", nothing: "Der er ingen samtale at downloade endnu.",
      error: "Noget gik galt. Prøv igen.", agent: "Kundeservice", dialog: "Chat med {name}",
      slow: "Du skriver hurtigt – beskeden sendes om et øjeblik.", messages: "Beskeder",
      carrier: "Fragtfirma", eta: "Forventet levering", pickup: "Afhentningssted",
      order: "Ordre", collectBy: "Hent senest", trackingNo: "Sporingsnummer", events: "Vis forløb", sizes: "Størrelser", view: "Se varen",
      track: "Følg pakken", soldOut: "Udsolgt", file: "samtale",
    },
    sv: {
      open: "Öppna chatten", close: "Stäng chatten", menu: "Chattmeny",
      download: "Ladda ner konversationen", print: "Utskriftsvänlig version",
      human: "Prata med en person", delete: "Radera konversationen", privacy: "Integritetspolicy",
      confirmTitle: "Radera konversationen?",
      confirmText: "Konversationen raderas direkt hos oss och kan inte återställas.",
      cancel: "Avbryt", confirm: "Radera", deleted: "Konversationen är raderad.",
      label: "Skriv ett meddelande", placeholder: "Skriv ett meddelande …", send: "Skicka",
      left: "{n} tecken kvar", over: "{n} tecken för mycket",
      offline: "Anslutningen bröts – försöker igen …", sending: "Skickar …",
      waiting: "Skickas när anslutningen är tillbaka", failed: "Kunde inte skickas",
      typing: "{name} skriver …", you: "Du", unread: "{n} olästa meddelanden",
      talk: "Jag vill prata med en person", nothing: "Det finns ingen konversation att ladda ner än.",
      error: "Något gick fel. Försök igen.", agent: "Kundtjänst", dialog: "Chatt med {name}",
      slow: "Du skriver snabbt – meddelandet skickas om en stund.", messages: "Meddelanden",
      carrier: "Transportör", eta: "Beräknad leverans", pickup: "Utlämningsställe",
      order: "Order", collectBy: "Hämta senast", trackingNo: "Spårningsnummer", events: "Visa händelser", sizes: "Storlekar",
      view: "Visa produkten", track: "Spåra paketet", soldOut: "Slutsåld", file: "konversation",
    },
    nb: {
      open: "Åpne chat", close: "Lukk chatten", menu: "Chatmeny", download: "Last ned samtalen",
      print: "Utskriftsvennlig versjon", human: "Snakk med en person", delete: "Slett samtalen",
      privacy: "Personvernerklæring", confirmTitle: "Slette samtalen?",
      confirmText: "Samtalen slettes hos oss med en gang og kan ikke gjenopprettes.",
      cancel: "Avbryt", confirm: "Slett", deleted: "Samtalen er slettet.",
      label: "Skriv en melding", placeholder: "Skriv en melding …", send: "Send",
      left: "{n} tegn igjen", over: "{n} tegn for mye",
      offline: "Forbindelsen er brutt – prøver igjen …", sending: "Sender …",
      waiting: "Sendes når forbindelsen er tilbake", failed: "Kunne ikke sendes",
      typing: "{name} skriver …", you: "Du", unread: "{n} uleste meldinger",
      talk: "Jeg vil gjerne snakke med en person", nothing: "Det er ingen samtale å laste ned ennå.",
      error: "Noe gikk galt. Prøv igjen.", agent: "Kundeservice", dialog: "Chat med {name}",
      slow: "Du skriver raskt – meldingen sendes om et øyeblikk.", messages: "Meldinger",
      carrier: "Transportør", eta: "Forventet levering", pickup: "Hentested",
      order: "Ordre", collectBy: "Hent innen", trackingNo: "Sporingsnummer", events: "Vis hendelser", sizes: "Størrelser",
      view: "Se produktet", track: "Spor pakken", soldOut: "Utsolgt", file: "samtale",
    },
    fi: {
      open: "Avaa chat", close: "Sulje chat", menu: "Chatin valikko", download: "Lataa keskustelu",
      print: "Tulostettava versio", human: "Juttele ihmisen kanssa", delete: "Poista keskustelu",
      privacy: "Tietosuojaseloste", confirmTitle: "Poistetaanko keskustelu?",
      confirmText: "Keskustelu poistetaan meiltä heti, eikä sitä voi palauttaa.",
      cancel: "Peruuta", confirm: "Poista", deleted: "Keskustelu on poistettu.",
      label: "Kirjoita viesti", placeholder: "Kirjoita viesti …", send: "Lähetä",
      left: "{n} merkkiä jäljellä", over: "{n} merkkiä liikaa",
      offline: "Yhteys katkesi – yritetään uudelleen …", sending: "Lähetetään …",
      waiting: "Lähetetään, kun yhteys palaa", failed: "Lähettäminen epäonnistui",
      typing: "{name} kirjoittaa …", you: "Sinä", unread: "{n} lukematonta viestiä",
      talk: "Haluaisin jutella ihmisen kanssa", nothing: "Ladattavaa keskustelua ei vielä ole.",
      error: "Jokin meni vikaan. Yritä uudelleen.", agent: "Asiakaspalvelu",
      dialog: "Chat: {name}", slow: "Kirjoitat nopeasti – viesti lähetetään hetken kuluttua.",
      messages: "Viestit", carrier: "Kuljetusyhtiö", eta: "Arvioitu toimitus",
      pickup: "Noutopiste", order: "Tilaus", collectBy: "Nouda viimeistään", trackingNo: "Seurantanumero", events: "Näytä tapahtumat",
      sizes: "Koot", view: "Katso tuote", track: "Seuraa pakettia", soldOut: "Loppuunmyyty",
      file: "keskustelu",
    },
    en: {
      open: "Open chat", close: "Close chat", menu: "Chat menu", download: "Download conversation",
      print: "Printable version", human: "Talk to a person", delete: "Delete conversation",
      privacy: "Privacy policy", confirmTitle: "Delete this conversation?",
      confirmText: "It is deleted from our systems right away and cannot be restored.",
      cancel: "Cancel", confirm: "Delete", deleted: "The conversation has been deleted.",
      label: "Write a message", placeholder: "Write a message …", send: "Send",
      left: "{n} characters left", over: "{n} characters too many",
      offline: "Connection lost – retrying …", sending: "Sending …",
      waiting: "Will be sent when the connection is back", failed: "Could not be sent",
      typing: "{name} is typing …", you: "You", unread: "{n} unread messages",
      talk: "I'd like to talk to a person", nothing: "There is no conversation to download yet.",
      error: "Something went wrong. Please try again.", agent: "Customer service",
      dialog: "Chat with {name}", slow: "You're typing fast – the message is sent in a moment.",
      messages: "Messages", carrier: "Carrier", eta: "Expected delivery", pickup: "Pickup point",
      order: "Order", collectBy: "Collect by", trackingNo: "Tracking number", events: "Show history", sizes: "Sizes", view: "View product",
      track: "Track parcel", soldOut: "Sold out", file: "conversation",
    },
  };

  // Talking to a person (the pre-chat form, the queue, the rating, a message when nobody is there).
  const PT = {
    da: { only: "Svarene bruges kun til din henvendelse.", choose: "Vælg …", req: "Skal udfyldes", bad: "Tjek venligst feltet", long: "For langt", start: "Start chat", queue: "Du er nr. {n} i køen · ca. {m} min.", queued: "Du er i kø hos kundeservice …", leave: "Forlad køen", seen: "Set", rate: "Hvordan var hjælpen?", star: "{n} af 5", comment: "Kommentar (valgfri)", thanks: "Tak for din vurdering!", back: "Tilbage til botten", email: "E-mail", msg: "Din besked", sendMsg: "Send besked", sent: "Tak! Vi svarer dig på e-mail.", backAt: "Vi er tilbage {when}." },
    sv: { only: "Svaren används bara för ditt ärende.", choose: "Välj …", req: "Måste fyllas i", bad: "Kontrollera fältet", long: "För långt", start: "Starta chatten", queue: "Du är nr {n} i kön · ca {m} min.", queued: "Du står i kö hos kundtjänst …", leave: "Lämna kön", seen: "Läst", rate: "Hur var hjälpen?", star: "{n} av 5", comment: "Kommentar (valfri)", thanks: "Tack för ditt betyg!", back: "Tillbaka till boten", email: "E-post", msg: "Ditt meddelande", sendMsg: "Skicka meddelande", sent: "Tack! Vi svarar via e-post.", backAt: "Vi är tillbaka {when}." },
    nb: { only: "Svarene brukes bare til henvendelsen din.", choose: "Velg …", req: "Må fylles ut", bad: "Sjekk feltet", long: "For langt", start: "Start chat", queue: "Du er nr. {n} i køen · ca. {m} min.", queued: "Du står i kø hos kundeservice …", leave: "Forlat køen", seen: "Sett", rate: "Hvordan var hjelpen?", star: "{n} av 5", comment: "Kommentar (valgfritt)", thanks: "Takk for vurderingen!", back: "Tilbake til boten", email: "E-post", msg: "Meldingen din", sendMsg: "Send melding", sent: "Takk! Vi svarer deg på e-post.", backAt: "Vi er tilbake {when}." },
    fi: { only: "Vastauksia käytetään vain asiasi hoitamiseen.", choose: "Valitse …", req: "Pakollinen", bad: "Tarkista kenttä", long: "Liian pitkä", start: "Aloita chat", queue: "Olet jonossa {n}. · noin {m} min", queued: "Olet asiakaspalvelun jonossa …", leave: "Poistu jonosta", seen: "Luettu", rate: "Miten onnistuimme?", star: "{n}/5", comment: "Kommentti (vapaaehtoinen)", thanks: "Kiitos arviostasi!", back: "Takaisin bottiin", email: "Sähköposti", msg: "Viestisi", sendMsg: "Lähetä viesti", sent: "Kiitos! Vastaamme sähköpostilla.", backAt: "Palaamme {when}." },
    en: { only: "Your answers are used only for this request.", choose: "Choose …", req: "Required", bad: "Please check this field", long: "Too long", start: "Start chat", queue: "You're number {n} in the queue · about {m} min.", queued: "You're in the queue for customer service …", leave: "Leave the queue", seen: "Seen", rate: "How was the help?", star: "{n} of 5", comment: "Comment (optional)", thanks: "Thank you for your rating!", back: "Back to the bot", email: "E-mail", msg: "Your message", sendMsg: "Send message", sent: "Thank you! We'll answer by e-mail.", backAt: "We're back {when}." },
  };
  for (const l in PT) Object.assign(TEXTS[l], PT[l]);

  /* -------------------------------------------------------------- helpers */
  const S = {
    lang: "en", // the language the widget speaks (the conversation's once there is one)
    cfg: null, // the shop's widget config
    conv: null, // {id, token}
    cursor: 0, // the last message cursor seen
    read: 0, // the last cursor the customer has seen with the window open
    state: "bot", // the conversation's state on the server (bot, queued, live, closed, …)
    conn: "idle", // idle | connecting | live | polling | retrying
    open: false,
    unread: 0,
    outbox: [], // [{client_id, text, intent, status}] not yet stored by the server
    gen: 0, // bumped whenever the conversation is replaced; late answers of old ones are dropped
    past: [], // [{id, token}] of conversations ended with "New conversation" (deleted with it)
  };
  const listeners = {};
  const emit = (event, data) =>
    (listeners[event] || []).forEach((fn) => {
      try {
        fn(data);
      } catch (e) {
        console.error(e);
      }
    });

  const t = (key, vars) => {
    let s = (TEXTS[S.lang] || TEXTS.en)[key] || TEXTS.en[key] || key;
    for (const k in vars || {}) s = s.replace("{" + k + "}", vars[k]);
    return s;
  };
  const normLang = (code) => {
    if (!code) return null;
    let base = String(code).trim().toLowerCase().split(/[-_]/)[0];
    if (base === "no" || base === "nn") base = "nb";
    return LANGS.includes(base) ? base : null;
  };
  // The language to start in: the one the shop's tag names, else the first of the browser's
  // preferred languages the shop has, else the page's.
  const pickLang = (supported) => {
    const wanted = [script.dataset.samtaleLang, ...(navigator.languages || [navigator.language]), D.documentElement.lang];
    for (const c of wanted) {
      const l = normLang(c);
      if (l && supported.includes(l)) return l;
    }
    return null;
  };

  // Elements are built from text nodes only: h("p", {class: "x"}, "text", child, …).
  const h = (tag, attrs, ...kids) => {
    const el = D.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "hook") el.dataset.samtale = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    el.append(...kids.flat().filter((k) => k != null && k !== false));
    return el;
  };
  const NS = "http://www.w3.org/2000/svg";
  const ICONS = {
    chat: [["path", { d: "M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4A2.5 2.5 0 0 1 4 13.5z", fill: "currentColor", stroke: "none" }]],
    down: [["path", { d: "M6 9l6 6 6-6" }]],
    close: [["path", { d: "M6 6l12 12M18 6L6 18" }]],
    gear: [["path", { d: "M10.1 4.9L10.5 1.7L13.5 1.7L13.9 4.9L15.7 5.6L18.2 3.6L20.4 5.8L18.4 8.3L19.1 10.1L22.3 10.5L22.3 13.5L19.1 13.9L18.4 15.7L20.4 18.2L18.2 20.4L15.7 18.4L13.9 19.1L13.5 22.3L10.5 22.3L10.1 19.1L8.3 18.4L5.8 20.4L3.6 18.2L5.6 15.7L4.9 13.9L1.7 13.5L1.7 10.5L4.9 10.1L5.6 8.3L3.6 5.8L5.8 3.6L8.3 5.6ZM15.3 12a3.3 3.3 0 1 0-6.6 0a3.3 3.3 0 1 0 6.6 0Z", fill: "currentColor", stroke: "none", "fill-rule": "evenodd" }]],
    send: [["path", { d: "M4 19.5l16.5-7.5L4 4.5 5.5 10.5 13 12l-7.5 1.5z", fill: "currentColor", stroke: "none" }]],
    clip: [["path", { d: "M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7L9.7 17.2a1.7 1.7 0 0 1-2.4-2.4L15 7" }]],
  };
  const icon = (name) => {
    const svg = D.createElementNS(NS, "svg");
    const base = { viewBox: "0 0 24 24", width: 24, height: 24, fill: "none", stroke: "currentColor", "stroke-width": 2, "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false" };
    for (const k in base) svg.setAttribute(k, base[k]);
    for (const [tag, attrs] of ICONS[name]) {
      const el = D.createElementNS(NS, tag);
      for (const k in attrs) el.setAttribute(k, attrs[k]);
      svg.append(el);
    }
    return svg;
  };
  const safeUrl = (u, base) => {
    if (typeof u !== "string" || !u) return null;
    try {
      const x = new URL(u, base || ORIGIN);
      return x.protocol === "https:" || x.protocol === "http:" ? x.href : null;
    } catch {
      return null;
    }
  };
  // Pictures may also be inline data (a shop's placeholder); never anything that runs.
  const safeImg = (u) => (typeof u === "string" && /^data:image\/(png|jpeg|gif|webp|avif|svg\+xml)[;,]/i.test(u) ? u : safeUrl(u));
  const link = (label, href) =>
    h("a", { href, target: "_blank", rel: "noopener noreferrer" }, label);
  // Bot and agent text: plain text, with http(s) links (bare or as [label](url)) made clickable.
  const LINKS = /\[([^\]\n]{1,200})\]\((https?:\/\/[^\s)]+)\)|https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]]/g;
  const richText = (el, text) => {
    let at = 0;
    for (const m of text.matchAll(LINKS)) {
      const url = safeUrl(m[2] || m[0]);
      el.append(text.slice(at, m.index), url ? link(m[1] || m[0], url) : m[0]);
      at = m.index + m[0].length;
    }
    el.append(text.slice(at));
    return el;
  };
  const str = (v) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
  const fmtTime = (iso, withDate) => {
    const d = new Date(iso);
    if (isNaN(d)) return str(iso);
    const opts = withDate ? { dateStyle: "medium", timeStyle: "short" } : { hour: "2-digit", minute: "2-digit" };
    try {
      return new Intl.DateTimeFormat(LOCALES[S.lang], opts).format(d);
    } catch {
      return d.toLocaleString();
    }
  };
  const newId = () =>
    (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2)).replace(/-/g, "");
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  // The conversation token: localStorage (resumes across visits) or sessionStorage (this tab).
  const store = {
    key: "samtale:" + KEY,
    area: null,
    use(mode) {
      try {
        if (mode === "session") localStorage.removeItem(this.key);
        this.area = mode === "session" ? sessionStorage : localStorage;
      } catch {
        this.area = null; // storage blocked: the conversation lasts as long as the page
      }
    },
    load() {
      try {
        return JSON.parse(this.area.getItem(this.key)) || null;
      } catch {
        return null;
      }
    },
    save() {
      const outbox = S.outbox.filter((m) => m.status !== "failed").map(({ client_id, text, intent, files }) => ({ client_id, text, intent, files }));
      try {
        if (!S.conv && !outbox.length && !S.past.length) this.area.removeItem(this.key);
        else this.area.setItem(this.key, JSON.stringify({ ...S.conv, cursor: S.cursor, read: S.read, outbox, past: S.past }));
      } catch {
        /* storage full or blocked */
      }
    },
  };

  // Answers from the shop's pages: the page's card and "Did this help?".
  const KT = {
    da: { page: "Læs siden", helped: "Hjalp det?", yes: "Ja", no: "Nej", noted: "Tak for svaret!" },
    sv: { page: "Läs sidan", helped: "Hjälpte det?", yes: "Ja", no: "Nej", noted: "Tack för svaret!" },
    nb: { page: "Les siden", helped: "Hjalp det?", yes: "Ja", no: "Nei", noted: "Takk for svaret!" },
    fi: { page: "Lue sivu", helped: "Auttoiko tämä?", yes: "Kyllä", no: "Ei", noted: "Kiitos palautteesta!" },
    en: { page: "Read the page", helped: "Did this help?", yes: "Yes", no: "No", noted: "Thank you for telling us!" },
  };
  for (const l of LANGS) Object.assign(TEXTS[l], KT[l]);

  // "New conversation" in the gear menu.
  const NT = { da: "Ny samtale", sv: "Ny konversation", nb: "Ny samtale", fi: "Uusi keskustelu", en: "New conversation" };
  for (const l of LANGS) TEXTS[l].fresh = NT[l];

  /* ------------------------------------------------------------------ api */
  const api = async (method, path, body, token) => {
    const headers = {};
    if (body) headers["content-type"] = "application/json";
    if (token) headers.authorization = "Bearer " + token;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 20000);
    try {
      const res = await fetch(API + path, { method, headers, body: body && JSON.stringify(body), signal: ctl.signal, credentials: "omit", cache: "no-store" });
      let data = null;
      if (res.status !== 204 && (res.headers.get("content-type") || "").includes("json")) data = await res.json().catch(() => null);
      return { status: res.status, ok: res.ok, data };
    } finally {
      clearTimeout(timer);
    } // a network failure throws (TypeError / AbortError): the caller treats it as offline
  };
  const convPath = (suffix) => `/conversations/${encodeURIComponent(S.conv.id)}${suffix || ""}`;
  const authed = (method, suffix, body) => api(method, convPath(suffix), body, S.conv.token);

  /* --------------------------------------------------------------- render */
  let ui = null; // the window's elements, built on first open
  const root = D.createElement("samtale-widget");
  const shadow = root.attachShadow({ mode: "open" });
  const pending = new Map(); // client_id → element of a message not yet stored
  const seen = new Set(); // message ids shown
  // Every message taken in, in cursor order: a conversation resumed before the window exists (a
  // reload or a new page during a chat with a person) is drawn from here when it is built.
  const history = [];

  const who = (m) =>
    m.author === "visitor" ? t("you") : m.author === "agent" ? m.agent_name || t("agent") : m.author === "bot" ? botName() : "";
  const botName = () => (S.cfg && S.cfg.bot_name) || "Chat";

  // A picture that cannot load (gone, or refused by the page's policy) gives way to a plain tile.
  const noImage = (e) => {
    const tile = h("span", { class: "noimg", "aria-hidden": "true" });
    if (e && e.target) e.target.replaceWith(tile);
    return tile;
  };

  // One renderer per card kind. A card that cannot be drawn is left out; the text is always shown.
  const CARDS = {
    tracking(p) {
      const rows = [];
      const row = (label, value) => value && rows.push(h("dt", null, label), h("dd", null, value));
      row(t("order"), str(p.order_number));
      row(t("carrier"), str(p.carrier_name || p.carrier));
      row(t("eta"), str(p.expected_delivery_text) || (p.expected_delivery ? fmtTime(p.expected_delivery, true) : ""));
      const pp = p.pickup_point;
      row(t("pickup"), pp && (typeof pp === "string" ? pp : [pp.name, pp.address, [pp.postal_code || pp.postcode, pp.city].filter(Boolean).join(" "), pp.opening_hours].map(str).filter(Boolean).join(", ")));
      row(t("collectBy"), str(p.collect_by_text));
      row(t("trackingNo"), str(p.tracking_number));
      const events = Array.isArray(p.events) ? p.events.slice(0, 30) : [];
      const url = safeUrl(p.tracking_url || p.url);
      return h("div", { class: "card track", hook: "card", "data-kind": "tracking" },
        h("p", { class: "card-title" }, str(p.status_text || p.status)),
        rows.length ? h("dl", null, rows) : null,
        events.length ? h("details", null, h("summary", null, t("events")),
          h("ol", { class: "events" }, events.map((e) => h("li", null,
            h("span", { class: "ev-time" }, str(e.time_text) || (e.at ? fmtTime(e.at, true) : "")),
            h("span", null, [str(e.text || e.description), str(e.location)].filter(Boolean).join(" · ")))))) : null,
        url ? link(t("track"), url) : null);
    },
    product(p) {
      const img = safeImg(p.image);
      const url = safeUrl(p.url);
      const sizes = (Array.isArray(p.sizes) ? p.sizes : []).map(str).filter((s) => s && s !== "One size");
      const price = p.price && typeof p.price === "object" ? str(p.price.text) || [str(p.price.amount), str(p.price.currency)].join(" ").trim() : str(p.price);
      const stock = p.in_stock === false ? t("soldOut") : sizes.length ? t("sizes") + ": " + sizes.join(", ") : "";
      return h("div", { class: "card product", hook: "card", "data-kind": "product" },
        img ? h("img", { src: img, alt: "", loading: "lazy", referrerpolicy: "no-referrer", onerror: noImage }) : noImage(),
        h("div", { class: "pbody" },
          h("p", { class: "card-title" }, str(p.name)),
          price ? h("p", { class: "price" }, price) : null,
          p.colour_name || stock ? h("p", { class: "sizes" }, [str(p.colour_name), stock].filter(Boolean).join(" · ")) : null,
          url ? link(t("view"), url) : null));
    },
    // The shop's page an answer was quoted from.
    page(p) {
      const url = safeUrl(p.url);
      return h("div", { class: "card page", hook: "card", "data-kind": "page" },
        h("p", { class: "card-title" }, str(p.title) || str(p.url)),
        url ? link(t("page"), url) : null);
    },
  };
  // "Did this help?" under an answer from the shop's pages: a yes or a no, never text; once.
  const feedback = (m) => {
    const box = h("div", { class: "helped", hook: "feedback", role: "group", "aria-label": t("helped") });
    const send = async (helpful) => {
      box.replaceChildren(h("span", null, t("noted")));
      try {
        await api("POST", convPath("/feedback"), { message_id: m.id, helpful }, S.conv.token);
      } catch {
        /* counted or not, the customer is not bothered with it */
      }
    };
    box.append(h("span", null, t("helped")),
      h("button", { type: "button", hook: "helped-yes", onclick: () => send(true) }, t("yes")),
      h("button", { type: "button", hook: "helped-no", onclick: () => send(false) }, t("no")));
    return box;
  };
  // The cards a payload holds: itself if it is a card, or a list of cards (`cards`, `products`, `items`).
  const cardsOf = (p) => {
    if (!p || typeof p !== "object") return [];
    if (CARDS[p.type]) return [p];
    for (const k of ["cards", "products", "items"]) {
      if (Array.isArray(p[k])) return p[k].filter((c) => c && typeof c === "object").map((c) => (c.type ? c : { ...c, type: k === "products" || p.type === "products" ? "product" : c.type })).filter((c) => CARDS[c.type]).slice(0, 10);
    }
    return [];
  };

  // One renderer per message author; each returns the message's element.
  const RENDER = {
    system: (m) => h("div", { class: "msg system", role: "note" }, m.text),
    visitor: (m) => bubble(m, h("p", { class: "text" }, m.text)),
    bot: (m) => bubble(m, richText(h("p", { class: "text" }), m.text)),
    agent: (m) => bubble(m, h("p", { class: "name", "aria-hidden": "true" }, who(m)), richText(h("p", { class: "text" }), m.text)),
  };
  const bubble = (m, ...body) => {
    const cards = [];
    for (const c of cardsOf(m.payload)) {
      try {
        cards.push(CARDS[c.type](c));
      } catch {
        /* a card we cannot draw: its text is in the message */
      }
    }
    return h("div", { class: "msg " + m.author, hook: m.author === "visitor" ? "visitor-message" : "reply" },
      h("div", { class: "bubble" }, h("span", { class: "sr" }, who(m) + ": "), ...body, fileList(m)),
      cards.length ? h("div", { class: "cards" }, cards) : null,
      m.author === "bot" && m.payload && m.payload.feedback === true && m.id ? feedback(m) : null,
      m.created_at ? h("time", { datetime: m.created_at }, fmtTime(m.created_at)) : null);
  };
  const renderMessage = (m) => {
    const el = (RENDER[m.author] || RENDER.system)(m);
    el.dataset.cursor = m.cursor;
    return el;
  };

  // Quick replies belong to the newest message only; sending anything removes them.
  const showQuick = (buttons) => {
    if (!ui) return;
    ui.quick.replaceChildren();
    const valid = (Array.isArray(buttons) ? buttons : []).filter((b) => b && str(b.label)).slice(0, 8);
    for (const b of valid) {
      const intent = /^[a-z][a-z0-9_]{1,63}$/.test(b.intent || "") ? b.intent : undefined;
      ui.quick.append(h("button", { type: "button", class: "qr", hook: "quick-reply", onclick: () => send(str(b.text) || str(b.label), intent) }, str(b.label)));
    }
    ui.quick.hidden = !valid.length;
  };

  const isNearBottom = () => !ui || ui.list.scrollHeight - ui.list.scrollTop - ui.list.clientHeight < 120;
  const scrollDown = (force) => {
    if (ui && (force || isNearBottom())) requestAnimationFrame(() => (ui.list.scrollTop = ui.list.scrollHeight));
  };

  // Take one message from the server (HTTP answer, websocket or poll) into the view, once.
  const ingest = (m, quiet) => {
    if (!m || !m.id || seen.has(m.id)) return;
    seen.add(m.id);
    m.text = str(m.text);
    if (m.cursor > S.cursor) S.cursor = m.cursor;
    if (m.client_id) {
      const i = S.outbox.findIndex((o) => o.client_id === m.client_id);
      if (i >= 0) S.outbox.splice(i, 1);
    }
    store.save();
    history.push(m);
    if (ui) place(m);
    person.seen(m);
    if (m.author !== "visitor" && !quiet && m.cursor > S.read) {
      if (S.open && !D.hidden) markRead();
      else setUnread(S.unread + 1);
    }
    if (!quiet) emit("message", Object.freeze({ ...m }));
  };

  const place = (m) => {
    const near = isNearBottom();
    const el = renderMessage(m);
    const old = m.client_id && pending.get(m.client_id);
    if (old) {
      old.replaceWith(el);
      pending.delete(m.client_id);
    } else {
      // In cursor order, before messages still waiting to be sent.
      const before = [...ui.msgs.children].find((c) => (c.dataset.cursor ? +c.dataset.cursor > m.cursor : c.dataset.samtale === "pending"));
      ui.msgs.insertBefore(el, before || null);
    }
    if (m.cursor >= S.cursor) showQuick(m.author === "bot" && m.payload && m.payload.buttons);
    if (m.author !== "visitor") typing.hide();
    scrollDown(near || m.author === "visitor");
  };

  const markRead = () => {
    if (S.read >= S.cursor) return;
    S.read = S.cursor;
    store.save();
    live.sendFrame({ type: "read", cursor: S.read });
  };
  const setUnread = (n) => {
    S.unread = n;
    badge.textContent = n > 9 ? "9+" : String(n);
    badge.hidden = !n;
    const name = texts().launcher || t("open"); // a visible label is also the button's name
    launcher.setAttribute("aria-label", n ? name + " – " + t("unread", { n }) : S.open ? t("close") : name);
  };

  const typing = {
    timer: 0,
    show(label) {
      if (!ui) return;
      ui.typingLabel.textContent = label || "";
      ui.typing.hidden = false;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.hide(), 8000);
      scrollDown();
    },
    hide() {
      if (ui) ui.typing.hidden = true;
    },
  };

  /* ----------------------------------------------------------------- live */
  // The connection state machine. idle → connecting → live (websocket); a socket that never gets
  // ready twice in a row means websockets are blocked → polling. Losing either → retrying with
  // backoff, shown honestly in the window. Every (re)connect catches up from the last cursor.
  const FRAMES = {
    message: (f) => ingest(f.message),
    typing: (f) => (f.author === "visitor" ? null : f.typing ? typing.show(t("typing", { name: f.name || (f.author === "agent" ? t("agent") : botName()) })) : typing.hide()),
    state: (f) => (f.agent_name && (person.agentName = f.agent_name), setState(f.state), person.sync()),
    deleted: () => startClean(t("deleted")),
    ping: () => live.sendFrame({ type: "pong" }),
    read: (f) => person.read(f),
    queue: (f) => person.queue(f),
    // The server's live feed had a gap (its Redis reconnected): read what we missed.
    resync: () => live.resync(),
  };
  const STATE_CLASSES = { bot: "st-bot", queued: "st-queued", live: "st-live", closed: "st-closed" };

  const setState = (state, lang) => {
    if (state && state !== S.state) {
      S.state = state;
      if (ui) ui.win.className = "window " + (STATE_CLASSES[state] || "st-other");
      emit("state", state);
      person.sync();
    }
    const l = normLang(lang);
    if (l && l !== S.lang && (!S.cfg || S.cfg.languages.includes(l))) {
      S.lang = l;
      applyTexts();
    }
  };

  const setConn = (state) => {
    S.conn = state;
    if (ui) ui.banner.hidden = state !== "retrying";
  };

  class Gone extends Error {}

  // Read every message after the cursor (history on first open, catch-up after reconnects, polls).
  const catchUp = async (quiet) => {
    const gen = S.gen;
    for (let page = 0; page < 50; page++) {
      const r = await authed("GET", `/messages?after=${S.cursor}&limit=200`);
      if (gen !== S.gen) return;
      if (r.status === 404) throw new Gone();
      if (!r.ok || !r.data) throw new Error("HTTP " + r.status);
      r.data.messages.forEach((m) => ingest(m, quiet));
      setState(r.data.state, r.data.language);
      if (!r.data.more) return;
    }
  };

  const live = {
    ws: null,
    mode: "ws",
    fails: 0, // websockets that closed before they were ready, in a row
    tries: 0,
    tried: 0, // when the last websocket was opened
    pollFailed: false,
    timer: 0,
    beat: 0,
    heard: 0,
    start() {
      this.stop();
      if (!S.conv) return;
      if (this.mode === "ws" && "WebSocket" in W) this.connect();
      else this.poll();
    },
    stop() {
      clearTimeout(this.timer);
      clearInterval(this.beat);
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close(1000);
      if (S.conn !== "retrying") setConn("idle");
    },
    connect() {
      if (S.conn !== "retrying") setConn("connecting");
      const conv = S.conv;
      let ready = false;
      let ws;
      try {
        ws = new WebSocket(ORIGIN.replace(/^http/, "ws") + `/api/v1/conversations/${encodeURIComponent(conv.id)}/ws`);
      } catch {
        return this.fallback();
      }
      this.ws = ws;
      this.tried = Date.now();
      // A socket that is neither refused nor ready (a proxy that swallows it) counts as refused.
      const refused = setTimeout(() => ready || ws.close(), 10000);
      ws.onopen = () => ws.send(JSON.stringify({ type: "auth", token: conv.token, after: S.cursor }));
      ws.onmessage = (e) => {
        if (this.ws !== ws) return;
        this.heard = Date.now();
        let f;
        try {
          f = JSON.parse(e.data);
        } catch {
          return;
        }
        if (f.type === "ready") {
          ready = Date.now();
          this.fails = 0;
          setConn("live");
          setState(f.state, f.language);
          outbox.flush();
        } else if (FRAMES[f.type]) FRAMES[f.type](f);
      };
      ws.onclose = (e) => {
        clearTimeout(refused);
        if (this.ws !== ws) return; // replaced or stopped on purpose
        this.ws = null;
        clearInterval(this.beat);
        if (e.code === 4404) return gone();
        if (e.code === 4429) return this.fallback(); // the server holds all the sockets it may
        // A socket that served a while resets the backoff; one the server closes at once
        // (1013: its database or Redis is away) keeps backing off, and is no sign that
        // websockets are blocked.
        if (ready && Date.now() - ready > 20000) this.tries = 0;
        if (!ready && e.code !== 1013 && ++this.fails >= 2) return this.fallback();
        this.retry();
      };
      // We speak now and then, and give up on a socket that has been silent for too long.
      this.heard = Date.now();
      clearInterval(this.beat);
      this.beat = setInterval(() => {
        if (Date.now() - this.heard > 65000) ws.close(4000);
        else this.sendFrame({ type: "ping" });
      }, 25000);
    },
    sendFrame(frame) {
      if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
    },
    fallback() {
      this.mode = "poll";
      this.poll();
    },
    retry() {
      setConn("retrying");
      const delay = Math.min(30000, 1000 * 2 ** this.tries++) * (0.6 + Math.random() * 0.4);
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.start(), delay);
    },
    async poll() {
      clearTimeout(this.timer);
      const gen = S.gen;
      try {
        await catchUp(false);
        if (gen !== S.gen) return;
        const recovered = this.pollFailed;
        this.pollFailed = false;
        this.tries = 0;
        if (recovered || Date.now() - this.tried > 120000) {
          // The server is back, or a while has passed: try the websocket again (one refusal
          // more and we are back to polling).
          this.mode = "ws";
          this.fails = 1;
          return this.start();
        }
        setConn("polling");
        outbox.flush();
        this.timer = setTimeout(() => this.poll(), S.open && !D.hidden ? 3000 : 20000);
      } catch (e) {
        if (gen !== S.gen) return;
        if (e instanceof Gone) return gone();
        this.pollFailed = true;
        setConn("retrying");
        const delay = Math.min(30000, 1000 * 2 ** this.tries++);
        this.timer = setTimeout(() => this.poll(), delay);
      }
    },
    async resync() {
      try {
        await catchUp(false);
        if (S.state === "queued") person.fetchPos();
      } catch (e) {
        if (e instanceof Gone) gone();
      }
    },
    // Called when the network may be back (browser online event, a successful request).
    kick() {
      if (S.conn === "retrying" && S.conv) {
        this.tries = 0;
        this.start();
      }
    },
  };

  /* ---------------------------------------------------------- attachments */
  // Photos and PDFs, both ways: a file is uploaded as the raw body (the server decides its type
  // from the content, re-encodes photos and refuses what it must), then sent as a message naming
  // it. Files are fetched with the conversation's token: previews become data: URLs (no blob:
  // needed in the shop's CSP), a click downloads the file.
  const AT = {
    da: { attach: "Vedhæft billede eller PDF", up: "Sender fil …", dl: "Hent", big: "Filen er for stor.", kind: "Kun billeder (JPEG, PNG, WebP, HEIC) og PDF-filer kan sendes.", many: "Der kan ikke sendes flere filer i denne samtale." },
    sv: { attach: "Bifoga bild eller PDF", up: "Skickar fil …", dl: "Hämta", big: "Filen är för stor.", kind: "Bara bilder (JPEG, PNG, WebP, HEIC) och PDF-filer kan skickas.", many: "Det går inte att skicka fler filer i den här konversationen." },
    nb: { attach: "Legg ved bilde eller PDF", up: "Sender fil …", dl: "Last ned", big: "Filen er for stor.", kind: "Bare bilder (JPEG, PNG, WebP, HEIC) og PDF-filer kan sendes.", many: "Det kan ikke sendes flere filer i denne samtalen." },
    fi: { attach: "Liitä kuva tai PDF", up: "Lähetetään tiedostoa …", dl: "Lataa", big: "Tiedosto on liian suuri.", kind: "Vain kuvia (JPEG, PNG, WebP, HEIC) ja PDF-tiedostoja voi lähettää.", many: "Tähän keskusteluun ei voi lähettää enempää tiedostoja." },
    en: { attach: "Attach a photo or PDF", up: "Sending file …", dl: "Download", big: "The file is too large.", kind: "Only photos (JPEG, PNG, WebP, HEIC) and PDF files can be sent.", many: "No more files can be sent in this conversation." },
  };
  for (const l of LANGS) Object.assign(TEXTS[l], AT[l]);
  const FILE_ERRORS = { 413: "big", 415: "kind", 409: "many" };
  const fileNote = (key) => {
    ui.count.textContent = key ? t(key) : "";
    ui.count.classList.toggle("over", !!key);
  };
  const attach = async (list) => {
    const files = [...(list || [])].slice(0, 10);
    if (!files.length || !ui || (!S.conv && !(await startConversation()))) return;
    const ids = [];
    let err = "";
    fileNote("");
    for (const f of files) {
      let status = 0;
      let data = null;
      try {
        const res = await fetch(API + convPath("/attachments?name=" + encodeURIComponent(f.name || "")), { method: "POST", headers: { authorization: "Bearer " + S.conv.token }, body: f, credentials: "omit" });
        status = res.status;
        data = await res.json().catch(() => null);
      } catch {
        /* offline: said below */
      }
      if (status === 201 && data) ids.push(data.attachment.id);
      else err = FILE_ERRORS[status] || "error";
    }
    if (ids.length) send("", undefined, ids);
    if (err) fileNote(err);
  };
  const pasteFiles = (e) => {
    const files = e.clipboardData && e.clipboardData.files;
    if (files && files.length) {
      e.preventDefault();
      attach(files);
    }
  };
  const clipButton = () => {
    const input = h("input", { type: "file", multiple: true, hidden: true, accept: "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,application/pdf", onchange: (e) => (attach(e.target.files), (e.target.value = "")) });
    return h("span", null, tx(h("button", { type: "button", class: "icon", hook: "attach", onclick: () => input.click() }, icon("clip")), "aria-label", "attach"), input);
  };
  const fetchFile = async (path) => {
    const res = await fetch(API + convPath(path), { headers: { authorization: "Bearer " + S.conv.token }, credentials: "omit" });
    return res.ok ? res.blob() : null;
  };
  const saveFile = async (path, name) => {
    const blob = await fetchFile(path).catch(() => null);
    if (!blob) return;
    const url = URL.createObjectURL(blob);
    h("a", { href: url, download: name }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  };
  const fileList = (m) => {
    const files = m.payload && Array.isArray(m.payload.attachments) ? m.payload.attachments.filter((a) => a && str(a.id)).slice(0, 10) : [];
    if (!files.length || !S.conv) return null;
    return h("ul", { class: "files", hook: "files" }, files.map((a) => {
      const path = "/attachments/" + encodeURIComponent(a.id);
      const img = a.thumbnail ? h("img", { alt: str(a.name) }) : null;
      if (img) fetchFile(path + "/thumbnail").then((b) => {
        const r = new FileReader();
        r.onload = () => {
          const near = isNearBottom();
          img.onload = () => scrollDown(near);
          img.src = r.result;
        };
        if (b) r.readAsDataURL(b);
      }).catch(() => {});
      return h("li", null, img, h("button", { type: "button", class: "file", hook: "file", onclick: () => saveFile(path, str(a.name)) }, `${t("dl")} ${str(a.name)} (${Math.max(1, Math.round((+a.size || 0) / 1024))} KB)`));
    }));
  };

  /* --------------------------------------------------------------- outbox */
  // A message is queued with a fresh client_id and sent in order; any retry (network failure,
  // lost answer, reload) repeats the same client_id, so the server stores it exactly once.
  const outbox = {
    busy: false,
    timer: 0,
    async flush() {
      if (this.busy) return;
      this.busy = true;
      clearTimeout(this.timer);
      let delay = 0;
      try {
        while (S.outbox.length) {
          const item = S.outbox.find((m) => m.status !== "failed");
          if (!item) break;
          if (!S.conv && !(await startConversation())) {
            delay = 5000;
            break;
          }
          const gen = S.gen;
          setPending(item, S.conn === "retrying" ? "waiting" : "sending");
          if (S.state === "bot" || S.state === "closed") typing.show("");
          let r;
          try {
            r = await authed("POST", "/messages", { text: item.text, client_id: item.client_id, intent: item.intent, attachments: item.files });
          } catch {
            setPending(item, "waiting");
            live.retry();
            delay = 4000;
            break;
          } finally {
            typing.hide();
          }
          if (gen !== S.gen) continue;
          if (r.status === 201 || r.status === 200) {
            live.kick();
            ingest(r.data.message);
            r.data.replies.forEach((m) => ingest(m));
            setState(r.data.state, r.data.language);
            if (item.intent === "talk_to_person") person.answered(r.data);
          } else if (r.status === 404) {
            startClean(); // expired or deleted elsewhere: the message goes into a new conversation
          } else if (r.status === 429) {
            setPending(item, "slow");
            delay = 5000;
            break;
          } else if (r.status >= 500) {
            setPending(item, "waiting");
            delay = 5000;
            break;
          } else {
            item.status = "failed";
            setPending(item, "failed");
            store.save();
          }
        }
      } catch (e) {
        console.error(e);
        delay = 5000;
      } finally {
        this.busy = false;
      }
      if (delay && S.outbox.some((m) => m.status !== "failed")) this.timer = setTimeout(() => this.flush(), delay);
    },
  };

  const startConversation = async () => {
    let r;
    try {
      r = await api("POST", `/widget/${encodeURIComponent(KEY)}/conversations`, { language: S.lang, page_url: location.origin + location.pathname });
    } catch {
      setConn("retrying");
      return false;
    }
    if (r.status !== 201 || !r.data) {
      if (r.status === 403 || r.status === 404) console.warn("Samtale: this site may not open conversations for widget key " + KEY);
      return false;
    }
    S.conv = { id: r.data.conversation_id, token: r.data.token };
    S.cursor = S.read = 0;
    S.gen++;
    setConn("idle");
    setState("bot", r.data.language);
    store.save();
    live.mode = live.fails >= 2 ? "poll" : "ws";
    live.start();
    return true;
  };

  const send = (text, intent, files) => {
    text = str(text).trim();
    if (!text && !(files && files.length)) return;
    const item = { client_id: newId(), text, intent, files };
    S.outbox.push(item);
    store.save();
    showQuick(null);
    if (ui) {
      showPending(item);
      scrollDown(true);
    }
    live.sendFrame({ type: "typing", typing: false });
    outbox.flush();
  };
  // A message the server has not stored yet, shown at the end until it is (then replaced).
  const showPending = (item) => {
    const el = h("div", { class: "msg visitor pending", hook: "pending" },
      h("div", { class: "bubble" }, h("span", { class: "sr" }, t("you") + ": "), h("p", { class: "text" }, item.text || t("up"))),
      h("span", { class: "note" }));
    pending.set(item.client_id, el);
    ui.msgs.append(el);
  };
  const setPending = (item, status) => {
    const el = pending.get(item.client_id);
    if (!el) return;
    const text = { sending: "", waiting: t("waiting"), slow: t("slow"), failed: t("failed") }[status] || "";
    el.lastChild.textContent = text;
    el.classList.toggle("failed", status === "failed");
    el.lastChild.setAttribute("role", status === "failed" ? "alert" : "status");
  };

  // The conversation is gone on the server (deleted, expired): forget it and start clean.
  // `save` is false when another tab already changed the stored conversation.
  const forget = (save = true) => {
    const old = S.conv && S.conv.id;
    const stored = store.load();
    if (stored && stored.id && stored.id !== old) save = false; // another tab's: leave it
    live.stop();
    S.conv = null;
    S.cursor = S.read = 0;
    S.state = "bot";
    S.gen++;
    seen.clear();
    history.length = 0;
    setUnread(0);
    setConn("idle");
    if (save) store.save();
  };
  const gone = () => startClean();
  const startClean = (notice, save = true) => {
    forget(save);
    if (!ui) return;
    for (const el of [...ui.msgs.children]) if (el.dataset.samtale !== "pending") el.remove();
    ui.win.className = "window st-bot";
    person.reset();
    renderGreeting();
    if (notice) ui.msgs.append(h("div", { class: "msg system", role: "note", hook: "notice" }, notice));
  };

  /* --------------------------------------------------------------- person */
  // Talking to a person: the pre-chat form (fields from the shop's config), the queue with its
  // position and wait, the agent's name and read marks, the rating after a close, and the
  // message form when nobody is there. One panel at the end of the chat shows the current step.
  const FORMS = { handoff_form: 1, offline_form: 1 };
  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  const person = {
    el: h("div", { class: "pp", hook: "person", hidden: true }),
    key: "",
    last: null, // the newest message
    force: "", // a form shown without a bot message asking for it
    pos: null,
    agentName: "",
    rated: false,
    reset() {
      Object.assign(this, { key: "", last: null, force: "", pos: null, agentName: "", rated: false });
      this.el.replaceChildren();
      this.el.hidden = true;
    },
    seen(m) {
      if (!this.last || m.cursor >= this.last.cursor) {
        this.last = m;
        if (this.force !== "thanks") this.force = "";
      }
      if (m.agent_name && m.author !== "visitor") this.agentName = m.agent_name;
      this.sync();
    },
    ask() {
      send(t("talk"), "talk_to_person");
    },
    // The bot did not offer a form (no bot, or none configured): ask the shop's config.
    async answered(data) {
      if (data.state !== "bot" || data.replies.some((m) => m.payload && FORMS[m.payload.type])) return;
      try {
        const r = await api("GET", `/widget/${encodeURIComponent(KEY)}/config`);
        if (r.ok && r.data) S.cfg.handoff = r.data.handoff;
      } catch {
        /* keep what we have */
      }
      const hc = S.cfg.handoff;
      if (!hc) return;
      this.force = hc.available ? "handoff_form" : "offline_form";
      this.sync();
    },
    read(f) {
      if (f.author !== "agent" || !ui) return;
      for (const el of ui.msgs.querySelectorAll(".seen")) el.remove();
      const mine = [...ui.msgs.querySelectorAll(".msg.visitor[data-cursor]")].filter((el) => +el.dataset.cursor <= f.cursor).pop();
      if (mine) mine.append(h("span", { class: "seen", hook: "seen" }, t("seen")));
    },
    queue(f) {
      this.pos = f;
      this.sync();
    },
    sync() {
      if (!ui) return;
      const st = S.state;
      const m = this.last;
      const p = (m && m.payload) || {};
      let key = "";
      if (st === "bot" && this.force === "thanks") this.force = "";
      if (st === "queued") key = "queue";
      else if (st === "closed" && p.rate && !this.rated) key = "rate";
      else if (st === "bot" || st === "closed") key = this.force || (m && m.author !== "visitor" && FORMS[p.type] ? p.type : "");
      showWho();
      if (key === this.key) return key === "queue" && this.showPos();
      this.key = key;
      this.el.replaceChildren();
      this.el.hidden = !key;
      if (key) {
        this[key === "queue" ? "q" : key](p);
        scrollDown(true);
      }
    },
    label: (l) => (l && (l[S.lang] || l[S.cfg.default_language] || Object.values(l)[0])) || "",
    field(id, label, input, err) {
      input.id = id;
      input.setAttribute("aria-describedby", id + "e");
      input.oninput = () => input.removeAttribute("aria-invalid");
      return h("div", { class: "fld" }, h("label", { for: id }, label), input, h("span", { class: "ferr", id: id + "e" }, err));
    },
    bad(input, code) {
      input.setAttribute("aria-invalid", "true");
      shadow.getElementById(input.id + "e").textContent = t({ required: "req", too_long: "long" }[code] || "bad");
    },
    clear(form) {
      for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      for (const el of form.querySelectorAll(".ferr")) el.textContent = "";
    },
    note() {
      const url = safeUrl(S.cfg.privacy_policy_url, location.href);
      return h("p", { class: "pnote" }, t("only"), url ? [" ", link(t("privacy"), url)] : null);
    },
    handoff_form() {
      const fields = ((S.cfg.handoff || {}).prechat_fields || []).slice(0, 12);
      const inputs = fields.map((f, i) => {
        const input =
          f.kind === "choice" ? h("select", null, h("option", { value: "" }, t("choose")), f.options.map((o) => h("option", { value: o.value }, this.label(o.label))))
          : f.kind === "textarea" ? h("textarea", { rows: 3, maxlength: f.max_length })
          : h("input", { type: { email: "email", phone: "tel" }[f.kind] || "text", maxlength: f.max_length, autocomplete: { name: "name", email: "email", phone: "tel" }[f.kind] || "off" });
        input.name = f.name;
        if (f.required) input.setAttribute("aria-required", "true");
        return [f, input, this.field("sw-f" + i, [this.label(f.label) || f.name, f.required ? h("span", { "aria-hidden": "true" }, " *") : null], input)];
      });
      const btn = h("button", { type: "submit", class: "btn pri", hook: "prechat-submit" }, t("start"));
      const form = h("form", { class: "pform", hook: "prechat", novalidate: true, onsubmit: (e) => (e.preventDefault(), this.submit(form, inputs, btn)) },
        inputs.map((x) => x[2]), this.note(),
        h("div", { class: "row" }, h("button", { type: "button", class: "btn", onclick: () => this.cancel() }, t("cancel")), btn));
      this.el.append(form);
      const first = inputs[0];
      requestAnimationFrame(() => (first ? first[1] : btn).focus());
    },
    cancel() {
      this.force = "";
      this.last = { cursor: S.cursor };
      this.sync();
      ui.input.focus();
    },
    async submit(form, inputs, btn) {
      this.clear(form);
      const answers = {};
      let wrong = null;
      for (const [f, input] of inputs) {
        const v = input.value.trim();
        const code = !v ? (f.required ? "required" : "") : f.kind === "email" && !EMAIL.test(v) ? "bad" : "";
        if (code) {
          this.bad(input, code);
          wrong = wrong || input;
        } else if (v) answers[f.name] = v;
      }
      if (wrong) return wrong.focus();
      btn.disabled = true;
      let r;
      try {
        r = await authed("POST", "/handoff", { answers });
      } catch {
        r = { status: 0 };
      }
      btn.disabled = false;
      if (r.status === 201 || r.status === 200) {
        this.pos = r.data;
        this.force = "";
        if (r.data.agent_name) this.agentName = r.data.agent_name;
        setState(r.data.state);
      } else if (r.status === 422 && r.data && r.data.error.fields) {
        for (const e of r.data.error.fields) {
          const x = inputs.find(([f]) => "answers." + f.name === e.field);
          if (x) {
            this.bad(x[1], e.code);
            wrong = wrong || x[1];
          }
        }
        if (wrong) wrong.focus();
      } else if (r.status === 409) {
        this.force = "offline_form";
        this.sync();
      } else notice(t("error"));
    },
    showPos() {
      const x = this.el.querySelector(".qpos");
      const q = this.pos;
      if (x) x.textContent = q && q.position ? t("queue", { n: q.position, m: Math.max(1, Math.round((q.wait_seconds || 60) / 60)) }) : t("queued");
    },
    q() {
      this.el.append(h("p", { class: "qpos", role: "status", hook: "queue-position" }), h("div", { class: "row" }, h("button", { type: "button", class: "btn", hook: "leave-queue", onclick: () => this.leave() }, t("leave"))));
      this.showPos();
      if (!this.pos) this.fetchPos();
    },
    fetchPos() {
      authed("GET", "/handoff").then((r) => r.ok && r.data.position && this.queue(r.data), () => {});
    },
    async leave() {
      try {
        const r = await authed("DELETE", "/handoff");
        if (r.ok) setState(r.data.state);
      } catch {
        notice(t("error"));
      }
    },
    rate() {
      let stars = 0;
      const send_ = h("button", { type: "button", class: "btn pri", hook: "rate-send", disabled: true, onclick: async () => {
        send_.disabled = true;
        const body = { rating: stars };
        if (comment.value.trim()) body.comment = comment.value.trim().slice(0, 1000);
        try {
          await authed("POST", "/rating", body);
        } catch {
          /* thanked anyway */
        }
        this.rated = true;
        this.force = "thanks";
        this.sync();
      } }, t("send"));
      const row = h("div", { class: "stars", role: "group", "aria-label": t("rate") }, [1, 2, 3, 4, 5].map((n) =>
        h("button", { type: "button", class: "star", hook: "star", "aria-pressed": "false", "aria-label": t("star", { n }), onclick: () => {
          stars = n;
          row.querySelectorAll(".star").forEach((b, i) => b.setAttribute("aria-pressed", String(i < n)));
          send_.disabled = false;
        } }, "★")));
      const comment = h("textarea", { rows: 2, maxlength: 1000, placeholder: t("comment"), "aria-label": t("comment") });
      const back = this.back();
      this.el.append(h("p", { class: "qpos" }, t("rate")), row, comment, h("div", { class: "row" }, back, send_));
      authed("GET", "/handoff").then((r) => r.ok && !r.data.can_rate && !stars && back.click(), () => {});
    },
    back() {
      return h("button", { type: "button", class: "btn", hook: "back-to-bot", onclick: () => {
        this.rated = true;
        this.force = "";
        this.sync();
        showQuick(texts().starters);
        ui.input.focus();
      } }, t("back"));
    },
    thanks() {
      const back = this.back();
      this.el.append(h("p", { class: "qpos", role: "status", hook: "rated" }, t("thanks")), h("div", { class: "row" }, back));
      back.focus();
    },
    offline_form(p) {
      const hc = S.cfg.handoff || {};
      const next = (p && p.next_open) || (this.force && hc.next_open);
      let when = "";
      if (next && !(p && p.type)) {
        try {
          when = new Intl.DateTimeFormat(LOCALES[S.lang], { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: hc.time_zone }).format(new Date(next));
        } catch {
          when = fmtTime(next, true);
        }
      }
      const email = h("input", { type: "email", autocomplete: "email", maxlength: 254 });
      const text = h("textarea", { rows: 3, maxlength: 4000 });
      const btn = h("button", { type: "submit", class: "btn pri", hook: "offline-submit" }, t("sendMsg"));
      const form = h("form", { class: "pform", hook: "offline", novalidate: true, onsubmit: async (e) => {
        e.preventDefault();
        this.clear(form);
        const bad = !EMAIL.test(email.value.trim()) ? email : !text.value.trim() ? text : null;
        if (bad) {
          this.bad(bad, bad === email ? "bad" : "required");
          return bad.focus();
        }
        btn.disabled = true;
        let r;
        try {
          r = await api("POST", `/widget/${encodeURIComponent(KEY)}/offline-messages`, { email: email.value.trim(), text: text.value.trim(), language: S.lang });
        } catch {
          r = { status: 0 };
        }
        btn.disabled = false;
        if (r.status === 201) {
          this.el.replaceChildren(h("p", { class: "qpos", role: "status", hook: "offline-sent" }, t("sent")));
          this.force = "";
          this.last = { cursor: S.cursor };
        } else if (r.status === 422) this.bad(email, "bad");
        else notice(t("error"));
      } },
        when ? h("p", { class: "qpos" }, t("backAt", { when })) : null,
        this.field("sw-oe", t("email"), email), this.field("sw-om", t("msg"), text), this.note(),
        h("div", { class: "row" }, h("button", { type: "button", class: "btn", onclick: () => this.cancel() }, t("cancel")), btn));
      this.el.append(form);
    },
  };

  /* ------------------------------------------------------------------- ui */
  const launcherIcon = h("span", { class: "ico" }, icon("chat"));
  const badge = h("span", { class: "badge", hook: "badge", "aria-hidden": "true", hidden: true });
  const launcherLabel = h("span", { class: "lbl", hook: "launcher-text" });
  const launcher = h("button", { type: "button", class: "launcher", hook: "launcher", "aria-expanded": "false", onclick: () => (S.open ? close() : open()) }, launcherIcon, launcherLabel, badge);
  const frame = h("div", { class: "sw", hidden: true }, launcher);
  shadow.append(frame);

  // Texts that follow the language: [element, attribute (or null: its text), key].
  const bound = [];
  const tx = (el, attr, key) => {
    bound.push([el, attr, key]);
    return el;
  };
  const applyTexts = () => {
    for (const [el, attr, key] of bound) {
      if (attr) el.setAttribute(attr, t(key));
      else el.textContent = t(key);
    }
    launcherLabel.textContent = texts().launcher || "";
    launcher.classList.toggle("txt", !!texts().launcher);
    setUnread(S.unread);
    if (ui) {
      showWho();
      renderGreeting();
      counter();
    }
  };
  // While a person chats, the header shows their name and initials; the bot's otherwise.
  const showWho = () => {
    const name = S.state === "live" && person.agentName;
    ui.title.textContent = name || botName();
    ui.personAv.textContent = name ? name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]).join("").toUpperCase() : "";
    ui.personAv.hidden = !name;
    ui.botAv.hidden = !!name;
    ui.sub.textContent = name ? t("agent") : texts().subtitle || "";
  };
  const texts = () => (S.cfg && (S.cfg.texts[S.lang] || S.cfg.texts[S.cfg.default_language])) || { greeting: "", subtitle: "", starters: [] };

  const renderGreeting = () => {
    const g = texts().greeting;
    ui.greeting.replaceChildren(h("div", { class: "bubble" }, h("span", { class: "sr" }, botName() + ": "), richText(h("p", { class: "text" }), g)));
    ui.greeting.hidden = !g;
    if (!S.conv && !S.outbox.length) showQuick(texts().starters);
  };

  const build = () => {
    const cfg = S.cfg;
    const avatarUrl = safeImg(cfg.avatar_url);
    const initial = () => h("span", { class: "avatar", "aria-hidden": "true" }, botName().trim().charAt(0).toUpperCase());
    const avatar = avatarUrl ? h("img", { class: "avatar", src: avatarUrl, alt: "", onerror: (e) => e.target.replaceWith(initial()) }) : initial();
    const menuBtn = tx(h("button", { type: "button", class: "icon", hook: "menu", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": "sw-menu", onclick: () => toggleMenu() }, icon("gear")), "aria-label", "menu");
    const item = (hook, key, onclick, cls) => tx(h("button", { type: "button", role: "menuitem", tabindex: "-1", hook, class: cls, onclick }), null, key);
    const privacyUrl = safeUrl(cfg.privacy_policy_url, location.href);
    const menu = h("div", { class: "menu", id: "sw-menu", role: "menu", hook: "menu-list", hidden: true, onkeydown: menuKeys },
      item("download", "download", () => download("txt")),
      item("print", "print", () => printView()),
      item("new", "fresh", () => newConversation()),
      item("human", "human", () => {
        closeMenu();
        person.ask();
        ui.input.focus();
      }),
      item("delete", "delete", () => askDelete(), "danger"),
      privacyUrl ? tx(h("a", { role: "menuitem", tabindex: "-1", hook: "privacy", href: privacyUrl, target: "_blank", rel: "noopener noreferrer", onclick: () => closeMenu() }), null, "privacy") : null);
    const title = h("h2", { id: "sw-title" }, botName());
    const sub = h("p", { class: "sub" });
    const botAv = h("span", { class: "av" }, avatar);
    const personAv = h("span", { class: "avatar pa", hook: "person-avatar", "aria-hidden": "true", hidden: true });
    const head = h("div", { class: "head" }, botAv, personAv, h("div", { class: "who" }, title, sub), menuBtn,
      tx(h("button", { type: "button", class: "icon", hook: "close", onclick: () => close() }, icon("close")), "aria-label", "close"), menu);
    const banner = tx(h("div", { class: "banner", role: "status", hook: "status", hidden: true }), null, "offline");
    const greeting = h("div", { class: "msg bot greeting", hook: "greeting" });
    const msgs = h("div", { class: "msgs" });
    const quick = h("div", { class: "quick", hook: "quick-replies", hidden: true });
    const typingLabel = h("span", { class: "tl" });
    const typingEl = h("div", { class: "typing", "aria-hidden": "true", hidden: true }, h("span", { class: "dots" }, h("i"), h("i"), h("i")), typingLabel);
    const list = tx(h("div", { class: "list", hook: "messages", role: "log", tabindex: "0" }, greeting, msgs, quick, person.el, typingEl), "aria-label", "messages");
    const input = tx(tx(h("textarea", { id: "sw-input", hook: "composer", rows: 1, enterkeyhint: "send", "aria-describedby": "sw-count", autocomplete: "off", oninput: () => onInput(), onkeydown: composerKeys, onpaste: pasteFiles }), "placeholder", "placeholder"), "aria-label", "label");
    const sendBtn = tx(h("button", { type: "submit", class: "sendbtn", hook: "send" }, icon("send")), "aria-label", "send");
    const count = h("p", { id: "sw-count", class: "count", hook: "counter", "aria-live": "polite" });
    const form = h("form", { class: "composer", onsubmit: (e) => (e.preventDefault(), submit()) }, clipButton(), input, sendBtn, count);
    const cancelBtn = tx(h("button", { type: "button", class: "btn", hook: "cancel", onclick: () => hideConfirm() }), null, "cancel");
    const confirm = h("div", { class: "confirm", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "sw-ct", "aria-describedby": "sw-cd", hidden: true },
      h("div", { class: "panel" },
        tx(h("h3", { id: "sw-ct" }), null, "confirmTitle"),
        tx(h("p", { id: "sw-cd" }), null, "confirmText"),
        h("div", { class: "row" }, cancelBtn, tx(h("button", { type: "button", class: "btn danger", hook: "confirm-delete", onclick: () => doDelete() }), null, "confirm"))));
    const win = h("div", { class: "window " + (STATE_CLASSES[S.state] || "st-other"), hook: "window", id: "sw-window", role: "dialog", "aria-modal": "true", "aria-labelledby": "sw-title", hidden: true, onkeydown: windowKeys, ondragover: (e) => e.preventDefault(), ondrop: (e) => (e.preventDefault(), attach(e.dataTransfer.files)) },
      head, banner, list, form, confirm);
    frame.append(win);
    launcher.setAttribute("aria-controls", "sw-window");
    ui = { win, head, menu, menuBtn, banner, list, greeting, msgs, quick, typing: typingEl, typingLabel, input, sendBtn, count, form, confirm, cancelBtn, sub, title, botAv, personAv };
    applyTexts();
    // Messages taken in before the window existed (the live connection of a resumed chat),
    // then those queued but not yet sent (a reload with an unsent message).
    history.sort((a, b) => a.cursor - b.cursor).forEach(place);
    S.outbox.forEach(showPending);
  };

  // Composer: Enter sends, Shift+Enter is a new line; a counter appears near the limit.
  const max = () => (S.cfg && S.cfg.max_message_chars) || 4000;
  const composerKeys = (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  let lastTyping = 0;
  const onInput = () => {
    counter();
    autosize();
    const now = Date.now();
    if (now - lastTyping > 2000 && ui.input.value) {
      lastTyping = now;
      live.sendFrame({ type: "typing", typing: true });
    }
  };
  const counter = () => {
    const n = [...ui.input.value].length;
    const over = n > max();
    ui.count.textContent = over ? t("over", { n: n - max() }) : n > max() - 500 ? t("left", { n: max() - n }) : "";
    ui.count.classList.toggle("over", over);
    ui.input.toggleAttribute("aria-invalid", over);
    ui.sendBtn.disabled = over;
  };
  const fieldSizing = W.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  const autosize = () => {
    if (fieldSizing) return;
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight, 128) + "px";
  };
  const submit = () => {
    const text = ui.input.value.trim();
    if (!text || [...text].length > max()) return;
    ui.input.value = "";
    counter();
    autosize();
    send(text);
  };

  // The gear menu: arrow keys move, Escape and Tab close it and return to the gear.
  const menuItems = () => [...ui.menu.querySelectorAll("[role=menuitem]")].filter((el) => !el.hidden);
  const toggleMenu = () => (ui.menu.hidden ? openMenu() : closeMenu(true));
  const openMenu = () => {
    hideConfirm();
    const hasConv = !!S.conv;
    for (const hook of ["download", "print", "new", "delete"]) ui.menu.querySelector(`[data-samtale="${hook}"]`).setAttribute("aria-disabled", String(!(hasConv || (hook === "delete" && S.past.length))));
    ui.menu.hidden = false;
    ui.menuBtn.setAttribute("aria-expanded", "true");
    menuItems()[0].focus();
  };
  const closeMenu = (refocus) => {
    if (!ui || ui.menu.hidden) return;
    ui.menu.hidden = true;
    ui.menuBtn.setAttribute("aria-expanded", "false");
    if (refocus) ui.menuBtn.focus();
  };
  const menuKeys = (e) => {
    const items = menuItems();
    const i = items.indexOf(shadow.activeElement);
    const go = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: items.length - 1 }[e.key];
    if (go !== undefined) {
      e.preventDefault();
      items[(go + items.length) % items.length].focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      closeMenu(true);
    } else if (e.key === "Tab") {
      e.preventDefault();
      closeMenu(true);
    }
  };

  // Focus stays inside the open window (Tab cycles); Escape closes what is on top.
  const focusables = () =>
    [...ui.win.querySelectorAll("button, a[href], textarea, summary, [tabindex]:not([tabindex='-1'])")].filter(
      (el) => !el.disabled && !el.closest("[inert]") && !el.closest("[hidden]") && el.getClientRects().length
    );
  const windowKeys = (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      if (!ui.menu.hidden) closeMenu(true);
      else if (!ui.confirm.hidden) hideConfirm();
      else close();
      return;
    }
    if (e.key !== "Tab") return;
    const els = focusables();
    if (!els.length) return;
    const first = els[0];
    const last = els[els.length - 1];
    const a = shadow.activeElement;
    if (e.shiftKey && (a === first || !els.includes(a))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (a === last || !els.includes(a))) {
      e.preventDefault();
      first.focus();
    }
  };
  // Clicks outside the menu close it.
  shadow.addEventListener("click", (e) => {
    if (ui && !ui.menu.hidden && !e.composedPath().some((el) => el === ui.menu || el === ui.menuBtn)) closeMenu(false);
  });

  const askDelete = () => {
    if (!S.conv && !S.past.length) return notice(t("nothing"));
    closeMenu(false);
    ui.confirm.hidden = false;
    for (const el of [ui.head, ui.list, ui.form, ui.banner]) el.inert = true;
    ui.cancelBtn.focus();
  };
  const hideConfirm = (refocus = true) => {
    if (!ui || ui.confirm.hidden) return;
    ui.confirm.hidden = true;
    for (const el of [ui.head, ui.list, ui.form, ui.banner]) el.inert = false;
    if (refocus) ui.menuBtn.focus();
  };
  const doDelete = async () => {
    let r = { status: 204 };
    try {
      // The conversations ended with "New conversation" first (gone already counts as done).
      for (const c of [...S.past]) {
        const x = await api("DELETE", `/conversations/${encodeURIComponent(c.id)}`, null, c.token);
        if (x.status !== 204 && x.status !== 404) throw 0;
        S.past = S.past.filter((p) => p !== c);
        store.save();
      }
      if (S.conv) r = await authed("DELETE");
    } catch {
      r = { status: 0 };
    }
    if (r.status === 204 || r.status === 200 || r.status === 404) {
      hideConfirm(false);
      S.outbox = [];
      pending.forEach((el) => el.remove());
      pending.clear();
      startClean(t("deleted"));
      ui.input.focus();
      emit("deleted");
    } else {
      hideConfirm();
      notice(t("error"));
    }
  };
  const notice = (text) => {
    closeMenu(true);
    if (!ui) return;
    ui.msgs.append(h("div", { class: "msg system", role: "alert", hook: "notice" }, text));
    scrollDown(true);
  };

  // Download: the transcript in the conversation's language, saved as a file.
  const download = async (format) => {
    if (!S.conv) return notice(t("nothing"));
    closeMenu(true);
    try {
      const res = await fetch(API + convPath(`/transcript?format=${format}`), { headers: { authorization: "Bearer " + S.conv.token }, credentials: "omit", cache: "no-store" });
      if (res.status === 404) return gone();
      if (!res.ok) throw new Error("HTTP " + res.status);
      const blob = await res.blob();
      const a = h("a", { href: URL.createObjectURL(blob), download: `${t("file")}-${new Date().toISOString().slice(0, 10)}.${format}` });
      shadow.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 30000);
    } catch {
      notice(t("error"));
    }
  };

  // The print view: a new tab (opened now, while the click counts) shows the conversation and
  // prints it. It gets a one-time ticket, never the token, in its address.
  const printView = async () => {
    if (!S.conv) return notice(t("nothing"));
    closeMenu(true);
    const tab = W.open("", "_blank");
    try {
      const r = await authed("POST", "/print-ticket");
      if (r.status === 404) gone();
      if (!r.ok || !r.data) throw 0;
      const url = ORIGIN + r.data.url;
      if (!tab) return W.open(url, "_blank", "noopener");
      tab.opener = null;
      tab.location.href = url;
    } catch {
      if (tab) tab.close();
      if (S.conv) notice(t("error"));
    }
  };

  // A new conversation: the current one is ended politely on the server (out of the queue, a
  // live chat closed) and kept there by the shop's retention; its token stays in the browser so
  // that "Delete conversation" deletes it too.
  const newConversation = async () => {
    if (!S.conv) return closeMenu(true);
    closeMenu(false);
    const old = S.conv;
    try {
      await authed("POST", "/end");
    } catch {
      /* offline: it ends here; the server keeps it until retention deletes it */
    }
    if (S.conv !== old) return;
    S.past = [old, ...S.past].slice(0, 5);
    startClean();
    ui.input.focus();
    emit("new");
  };

  // Open and close. The window and the connection are set up on first open.
  let returnFocus = null;
  let booted = false;
  const deepActive = () => {
    let a = D.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a;
  };
  const open = async () => {
    if (S.open) return;
    if (!S.cfg) {
      wantOpen = true;
      return;
    }
    if (!ui) build();
    S.open = true;
    returnFocus = deepActive();
    ui.win.hidden = false;
    frame.classList.add("is-open");
    launcher.setAttribute("aria-expanded", "true");
    launcherIcon.replaceChildren(icon("down"));
    setUnread(0);
    ui.input.focus({ preventScroll: true });
    scrollDown(true);
    emit("open");
    if (!booted) {
      booted = true;
      await resume();
    }
    markRead();
  };
  const close = () => {
    if (!S.open) return;
    S.open = false;
    closeMenu(false);
    hideConfirm(false);
    ui.win.hidden = true;
    frame.classList.remove("is-open");
    launcher.setAttribute("aria-expanded", "false");
    launcherIcon.replaceChildren(icon("chat"));
    setUnread(0);
    const back = returnFocus && returnFocus.isConnected ? returnFocus : launcher;
    (back === root ? launcher : back).focus({ preventScroll: true });
    emit("close");
  };

  // First open: show the conversation so far, then go live.
  const resume = async () => {
    renderGreeting();
    if (S.conv) {
      ui.list.setAttribute("aria-busy", "true");
      try {
        await catchUp(true);
      } catch (e) {
        if (e instanceof Gone) gone();
        else setConn("retrying");
      }
      ui.list.removeAttribute("aria-busy");
      person.sync();
      scrollDown(true);
      live.start();
    }
    outbox.flush();
  };

  /* ---------------------------------------------------------------- styles */
  const CSS_TEXT = `
:host{all:initial;position:fixed;z-index:2147483000;bottom:0;right:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);--bg:#fff;--fg:#16191d;--sf:#eef1f4;--mut:#5b6169;--mut2:#4a5058;--bd:#dfe3e8;--bd2:#c3c9d0;--bd3:#8a929c;--lnk:#0b4fb3;--dng:#b3261e;--star:#a86a00;--wb:#fff4ce;--wf:#4d3800;--wbd:#f0dc8c}
:host(.left){right:auto;left:0}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
button{font:inherit;color:inherit;cursor:pointer}
:focus-visible{outline:3px solid var(--ink);outline-offset:2px}
.launcher{position:fixed;bottom:calc(20px + env(safe-area-inset-bottom));right:calc(20px + env(safe-area-inset-right));width:60px;height:60px;border-radius:50%;border:0;background:var(--p);color:var(--on);display:grid;place-items:center;box-shadow:0 4px 14px rgba(0,0,0,.22),0 1px 3px rgba(0,0,0,.2);transition:transform .15s}
:host(.left) .launcher,:host(.left) .window{right:auto;left:calc(20px + env(safe-area-inset-left))}
.launcher:hover{transform:scale(1.05)}
.launcher .ico{display:grid}.launcher svg{width:28px;height:28px}
.launcher.txt{width:auto;padding:0 20px 0 16px;border-radius:30px;grid-auto-flow:column;gap:8px}.lbl{font-weight:650}
.is-open .launcher.txt{width:60px;padding:0;border-radius:50%}.is-open .lbl{display:none}
.badge{position:absolute;top:-3px;right:-3px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;background:#c62828;color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center;box-shadow:0 0 0 2px #fff}
.window{position:fixed;bottom:calc(92px + env(safe-area-inset-bottom));right:calc(20px + env(safe-area-inset-right));width:380px;height:min(640px,calc(100vh - 112px));height:min(640px,calc(100dvh - 112px));display:flex;flex-direction:column;background:var(--bg);border-radius:16px;overflow:hidden;box-shadow:0 12px 40px rgba(0,0,0,.22),0 2px 8px rgba(0,0,0,.12);animation:in .18s ease-out}
@keyframes in{from{opacity:0;transform:translateY(12px)}}
.head{position:relative;display:flex;align-items:center;gap:10px;padding:12px 8px 12px 14px;background:var(--p);color:var(--on)}
.head :focus-visible{outline-color:var(--on)}
.avatar{flex:none;width:38px;height:38px;border-radius:50%;background:#fff;color:#16191d;display:grid;place-items:center;font-weight:700;font-size:17px;object-fit:cover}
.who{flex:1;min-width:0}.av{display:contents}.pa{background:var(--on);color:var(--p);font-size:15px}
h2{margin:0;font-size:16px;font-weight:650;line-height:1.25;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.sub{margin:1px 0 0;font-size:12.5px;opacity:.92}
.icon{flex:none;width:40px;height:40px;border:0;border-radius:10px;background:transparent;display:grid;place-items:center;color:inherit}
.icon:hover{background:rgba(127,127,127,.22)}
.icon svg{width:22px;height:22px}
.menu{position:absolute;top:calc(100% - 6px);right:8px;z-index:3;min-width:236px;padding:6px;background:var(--bg);color:var(--fg);border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.2),0 0 0 1px rgba(0,0,0,.06)}
.menu [role=menuitem]{display:block;width:100%;min-height:42px;padding:10px 12px;border:0;border-radius:8px;background:none;text-align:left;font-size:14.5px;color:var(--fg);text-decoration:none}
.menu [role=menuitem]:hover,.menu [role=menuitem]:focus{background:var(--sf)}
.menu [role=menuitem]:focus-visible{outline:3px solid var(--ink);outline-offset:-3px}
.menu [aria-disabled=true]{color:var(--mut)}
.menu .danger{color:var(--dng)}
.banner{padding:8px 14px;background:var(--wb);color:var(--wf);font-size:13.5px;border-bottom:1px solid var(--wbd)}
.list{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px 14px 8px;background:var(--bg);display:flex;flex-direction:column}
.list:focus-visible{outline-offset:-3px}
.msgs{display:flex;flex-direction:column}
.msg{display:flex;flex-direction:column;align-items:flex-start;max-width:86%;margin:0 0 10px}
.msg.visitor{align-self:flex-end;align-items:flex-end}
.msg:has(.cards){max-width:100%;width:100%}
.bubble{padding:9px 13px;border-radius:16px 16px 16px 5px;background:var(--sf);color:var(--fg);overflow-wrap:anywhere}
.visitor .bubble{background:var(--p);color:var(--on);border-radius:16px 16px 5px 16px}
.text{margin:0;white-space:pre-wrap}
.bubble a{color:var(--lnk);text-decoration:underline}
.visitor .bubble a{color:inherit}
.name{margin:0 0 2px;font-size:12.5px;font-weight:650;color:var(--mut2)}
time,.note{margin-top:3px;font-size:11.5px;color:var(--mut)}
.visitor:has(+.visitor)>time,.bot:has(+.bot)>time,.agent:has(+.agent)>time{display:none}
.visitor:has(+.visitor),.bot:has(+.bot),.agent:has(+.agent){margin-bottom:4px}
.pending .bubble{opacity:.75}
.failed .bubble{opacity:1;box-shadow:0 0 0 2px var(--dng)}.failed .note{color:var(--dng)}
.msg.system{align-self:center;align-items:center;max-width:92%;margin:4px 0 12px;padding:4px 10px;font-size:13px;color:var(--mut2);text-align:center;border-radius:8px;background:var(--sf)}
.cards{display:flex;flex-direction:column;gap:8px;margin-top:6px;width:100%;min-width:240px}
.card{border:1px solid var(--bd);border-radius:12px;background:var(--bg);padding:10px 12px;font-size:14px}
.card-title{margin:0 0 4px;font-weight:650}
.card a{display:inline-block;margin-top:6px;color:var(--lnk);font-weight:600}
.helped{display:flex;align-items:center;gap:6px;margin-top:4px;font-size:13px;color:var(--mut2)}
.helped button{border:1px solid var(--bd2);background:var(--bg);border-radius:999px;padding:2px 10px;font:inherit;cursor:pointer}
.track dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:6px 0 0}
.track dt{color:var(--mut2)}.track dd{margin:0}
details{margin-top:6px}summary{cursor:pointer;color:var(--lnk);font-weight:600}
.events{list-style:none;margin:6px 0 0;padding:0 0 0 12px;border-left:2px solid var(--bd)}
.events li{margin:0 0 6px;display:flex;flex-direction:column}.ev-time{font-size:12px;color:var(--mut)}
.product{display:flex;gap:10px;align-items:flex-start}
.product img,.noimg{flex:none;width:72px;height:72px;border-radius:8px;object-fit:cover;background:var(--sf)}
.pbody{min-width:0}.pbody p{margin:0}.price{font-weight:650}.sizes{font-size:13px;color:var(--mut2)}
.quick{display:flex;flex-wrap:wrap;gap:6px;justify-content:flex-end;margin:2px 0 10px}
.qr{padding:7px 13px;border-radius:18px;border:1.5px solid var(--ink);background:var(--bg);color:var(--ink);font-size:14px;font-weight:550}
.qr:hover{background:var(--sf)}
.typing{display:flex;align-items:center;gap:8px;margin:0 0 10px;font-size:12.5px;color:var(--mut)}
.dots{display:inline-flex;gap:4px;padding:11px 13px;border-radius:16px 16px 16px 5px;background:var(--sf)}
.dots i{width:7px;height:7px;border-radius:50%;background:var(--mut);animation:blink 1.2s infinite}
.dots i:nth-child(2){animation-delay:.2s}.dots i:nth-child(3){animation-delay:.4s}
@keyframes blink{0%,80%,100%{opacity:.3}40%{opacity:1}}
.composer{display:grid;grid-template-columns:auto 1fr auto;align-items:end;gap:8px;padding:10px 10px calc(10px + env(safe-area-inset-bottom)) 14px;border-top:1px solid var(--bd);background:var(--bg)}
textarea{display:block;width:100%;min-height:40px;max-height:128px;field-sizing:content;resize:none;border:1px solid var(--bd2);border-radius:12px;padding:9px 12px;font:inherit;font-size:16px;line-height:1.35;color:var(--fg);background:var(--bg)}
textarea::placeholder{color:var(--mut)}
textarea:focus-visible{outline:2px solid var(--ink);outline-offset:0;border-color:var(--ink)}
textarea[aria-invalid]{border-color:var(--dng)}
.sendbtn{width:42px;height:42px;border:0;border-radius:50%;background:var(--p);color:var(--on);display:grid;place-items:center}
.sendbtn:disabled{opacity:.45;cursor:not-allowed}
.count{grid-column:1/-1;margin:0;font-size:12px;color:var(--mut);text-align:right}
.count:empty{display:none}.count.over{color:var(--dng);font-weight:600}
.text:empty{display:none}.files{list-style:none;margin:4px 0 0;padding:0;display:grid;gap:6px}
.files img{display:block;max-width:100%;max-height:180px;border-radius:8px;margin-bottom:4px}
.file{border:1px solid currentColor;border-radius:8px;background:transparent;padding:4px 8px;font-size:13px;text-align:left;overflow-wrap:anywhere}
.confirm{position:absolute;inset:0;z-index:4;display:grid;place-items:center;padding:20px;background:rgba(20,24,28,.45)}
.panel{width:100%;max-width:320px;padding:18px;border-radius:14px;background:var(--bg);box-shadow:0 10px 30px rgba(0,0,0,.25)}
h3{margin:0 0 6px;font-size:16px}.panel p{margin:0 0 16px;font-size:14px;color:var(--mut2)}
.row{display:flex;gap:8px;justify-content:flex-end}
.btn{min-height:40px;padding:8px 16px;border-radius:10px;border:1px solid var(--bd2);background:var(--bg);font-weight:600}
.btn.danger{border-color:#b3261e;background:#b3261e;color:#fff}
.pp{margin:2px 0 12px;padding:12px;border:1px solid var(--bd);border-radius:12px;background:var(--bg);font-size:14px}
.pform{display:flex;flex-direction:column;gap:9px}
.fld{display:flex;flex-direction:column;gap:3px}.fld label{font-weight:600;font-size:13px}
.fld input,.fld select,.pp textarea{width:100%;font:inherit;font-size:16px;padding:7px 9px;border:1px solid var(--bd3);border-radius:8px;background:var(--bg);color:var(--fg)}
.pp [aria-invalid]{border-color:var(--dng)}.ferr{color:var(--dng);font-size:12.5px}.ferr:empty{display:none}
.pnote{margin:0;font-size:12.5px;color:var(--mut2)}.pnote a{color:var(--ink)}
.btn.pri{background:var(--p);border-color:var(--p);color:var(--on)}.btn:disabled{opacity:.5}
.qpos{margin:0 0 8px;font-weight:600}
.stars{display:flex;gap:2px;margin-bottom:8px}.star{border:0;background:none;font-size:28px;line-height:1;padding:2px 4px;color:var(--mut)}.star[aria-pressed=true]{color:var(--star)}
.pp textarea{margin-bottom:8px}
.seen{margin-top:2px;font-size:11.5px;color:var(--mut)}
@media (max-width:520px){
.window{inset:0;width:100%;height:100%;max-height:none;border-radius:0;bottom:0;right:0}
:host(.left) .window{left:0}
.head{padding-top:calc(10px + env(safe-area-inset-top));padding-left:calc(14px + env(safe-area-inset-left));padding-right:calc(8px + env(safe-area-inset-right))}
.is-open .launcher{display:none}
.msg{max-width:90%}
}
@media (prefers-reduced-motion:reduce){.window,.dots i{animation:none}.launcher{transition:none}}
@media print{:host{display:none}}
`;
  const HEX = /^#[0-9a-f]{6}$/i;
  // Dark mode: the same variables with dark values, always (`theme: dark`), never (`light`) or
  // as the visitor's system prefers (`auto`).
  const applyTheme = (colors, mode) => {
    const p = HEX.test(colors.primary) ? colors.primary : "#1f4f82";
    const on = HEX.test(colors.on_primary) ? colors.on_primary : "#ffffff";
    const ink = HEX.test(colors.accent) ? colors.accent : "#1f4f82";
    const inkDark = HEX.test(colors.accent_dark) ? colors.accent_dark : "#e6e9ed";
    const dark = `:host{color-scheme:dark;--bg:#1b1f24;--fg:#e6e9ed;--sf:#2a3038;--mut:#a7afb8;--mut2:#b9c0c8;--bd:#343b44;--bd2:#5b636d;--bd3:#7d8590;--lnk:#8ab4f8;--dng:#ff8a80;--star:#f2b33d;--wb:#3d3000;--wf:#ffe9a8;--wbd:#6b5a1a;--ink:${inkDark}}`;
    const theme = `:host{--p:${p};--on:${on};--ink:${ink}}` + (mode === "dark" ? dark : mode === "light" ? "" : `@media (prefers-color-scheme:dark){${dark}}`);
    if (shadow.adoptedStyleSheets && W.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
      const base = new CSSStyleSheet();
      base.replaceSync(CSS_TEXT);
      const vars = new CSSStyleSheet();
      vars.replaceSync(theme);
      shadow.adoptedStyleSheets = [base, vars];
    } else {
      shadow.prepend(h("style", null, CSS_TEXT + theme)); // older browsers (not under a strict CSP)
    }
  };

  /* ------------------------------------------------------------------ boot */
  let wantOpen = false;
  const boot = async () => {
    let cfg = null;
    for (let i = 0; i < 6 && !cfg; i++) {
      try {
        const r = await api("GET", `/widget/${encodeURIComponent(KEY)}/config`);
        if (r.status === 404 || r.status === 403) {
          console.warn("Samtale: unknown widget key or a site that may not use it: " + KEY);
          return;
        }
        if (r.ok) cfg = r.data;
      } catch {
        /* offline: try again */
      }
      if (!cfg) await sleep(2000 * 2 ** i);
    }
    if (!cfg) return;
    S.cfg = cfg;
    S.lang = pickLang(cfg.languages) || cfg.default_language;
    store.use(cfg.storage);
    const saved = store.load();
    if (saved && saved.id && saved.token) adopt(saved);
    if (saved && Array.isArray(saved.past)) S.past = saved.past.filter((c) => c && c.id && c.token).slice(0, 5);
    if (saved && Array.isArray(saved.outbox)) S.outbox = saved.outbox.filter((m) => m && m.client_id && (m.text || m.files)).slice(0, 20);
    applyTheme(cfg.colors || {}, cfg.theme);
    if (cfg.position === "left") root.classList.add("left");
    applyTexts();
    frame.hidden = false;
    if (S.conv) {
      // A returning visitor: show what they missed on the button; with a person involved,
      // stay connected so their messages arrive while the window is closed.
      try {
        const r = await authed("GET");
        if (r.status === 404) forget();
        else if (r.ok && r.data) {
          setState(r.data.state, r.data.language);
          // With a person involved, the live connection catches up (and counts what is unread).
          if (!["bot", "closed"].includes(r.data.state) && !booted) live.start();
          else if (r.data.cursor > S.read && !S.open) setUnread(r.data.cursor - S.read);
        }
      } catch {
        /* offline at load: the first open will retry */
      }
    }
    if (S.outbox.length && !S.open) outbox.flush(); // a message left unsent on the last page
    if (wantOpen) open();
  };

  const adopt = (saved) => {
    S.conv = { id: String(saved.id), token: String(saved.token) };
    S.read = +saved.read || 0;
  };
  // Another tab of the shop started or ended the conversation: follow it, unless this tab is
  // in the middle of its own.
  W.addEventListener("storage", async (e) => {
    if (e.key !== store.key || !S.cfg) return;
    let next = null;
    try {
      next = JSON.parse(e.newValue);
    } catch {
      /* removed or unreadable */
    }
    const id = next && next.id && next.token ? String(next.id) : null;
    if (S.conv && id === S.conv.id) return;
    // Another tab started a new conversation after this one: this tab follows.
    if (S.conv && next && Array.isArray(next.past) && next.past.some((c) => c && c.id === S.conv.id)) {
      S.past = next.past;
      startClean(null, false);
      if (!id) return;
    }
    if (!e.newValue) S.past = []; // deleted in another tab
    if (!id) {
      if (S.conv && !e.newValue) startClean(null, false);
      return;
    }
    if (S.conv || S.outbox.length || outbox.busy) return;
    startClean(null, false);
    adopt(next);
    if (!booted) return; // the first open loads it
    try {
      await catchUp(true);
    } catch (err) {
      if (err instanceof Gone) return gone();
    }
    scrollDown(true);
    live.start();
  });

  W.addEventListener("online", () => {
    live.kick();
    outbox.flush();
  });
  D.addEventListener("visibilitychange", () => {
    if (!D.hidden && S.open) markRead();
  });

  /* ------------------------------------------------------------ public API */
  const queued = (W.Samtale && W.Samtale._q) || [];
  const Samtale = {
    version: VERSION,
    open: () => void open(),
    close: () => close(),
    toggle: () => (S.open ? close() : void open()),
    on(event, fn) {
      if (typeof fn === "function") (listeners[event] = listeners[event] || []).push(fn);
      return Samtale;
    },
    off(event, fn) {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn);
      return Samtale;
    },
  };
  W.Samtale = Samtale;
  for (const [method, args] of queued) if (typeof Samtale[method] === "function") Samtale[method](...(args || []));

  const mount = () => {
    D.body.append(root);
    boot();
  };
  if (D.body) mount();
  else D.addEventListener("DOMContentLoaded", mount);
})();
