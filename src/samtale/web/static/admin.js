/* Admin pages: small enhancements over server-rendered forms (no inline scripts, CSP
   script-src 'self'): confirmations, copy buttons, publish progress and the try-it chat. */
(function () {
  "use strict";

  // A form with data-confirm asks before it submits.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var text = form.getAttribute && form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) ev.preventDefault();
  });

  // A file too big for the server's body limit is refused here, beside its field, before the
  // whole form is sent: data-max-bytes, and data-too-big for the message.
  document.addEventListener("submit", function (ev) {
    var inputs = ev.target.querySelectorAll ? ev.target.querySelectorAll("input[type=file][data-max-bytes]") : [];
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var file = input.files && input.files[0];
      if (!file || file.size <= +input.getAttribute("data-max-bytes")) continue;
      ev.preventDefault();
      var id = input.id + "-error";
      var msg = document.getElementById(id);
      if (!msg) {
        msg = document.createElement("p");
        msg.className = "field-error";
        msg.id = id;
        input.parentNode.appendChild(msg);
        input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + id).trim());
      }
      msg.textContent = input.getAttribute("data-too-big");
      input.setAttribute("aria-invalid", "true");
      input.closest(".field").classList.add("invalid");
      input.focus();
      return;
    }
  });

  // Copy buttons: data-copy="<id of the element whose text is copied>".
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-copy]");
    if (!btn) return;
    var el = document.getElementById(btn.getAttribute("data-copy"));
    if (!el) return;
    var text = (el.value !== undefined ? el.value : el.textContent).trim();
    var done = function () {
      btn.textContent = btn.getAttribute("data-copied-label") || btn.textContent;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () {});
    } else if (el.select) {
      el.select();
      try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
    }
  });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return values[key] !== undefined && values[key] !== null ? String(values[key]) : m;
    });
  }

  function api(method, url, body, csrf) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-CSRF-Token"] = csrf;
    return fetch(url, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) {
          var err = new Error((data.error && data.error.message) || ("HTTP " + r.status));
          err.status = r.status;
          throw err;
        }
        return data;
      });
    });
  }

  // Publish progress: poll the job and update the bar; reload when it has finished.
  var job = document.querySelector("[data-job]");
  if (job) {
    var texts = {};
    var tpl = document.getElementById("job-texts");
    if (tpl) {
      Array.prototype.forEach.call(tpl.content.querySelectorAll("[data-stage]"), function (el) {
        texts[el.getAttribute("data-stage")] = el.textContent;
      });
    }
    var bar = job.querySelector("progress");
    var label = job.querySelector(".job-text");
    var poll = function () {
      api("GET", "/api/v1/admin/bot/publish/" + job.getAttribute("data-job")).then(function (j) {
        bar.max = Math.max(1, j.total);
        bar.value = j.stage === "embedding" ? j.done : bar.max;
        if (j.stage === "queued" || j.stage === "embedding") bar.value = j.done;
        var text = j.status === "failed" ? texts.failed : texts[j.stage];
        if (text) label.textContent = fill(text, j);
        if (j.finished) {
          window.setTimeout(function () { window.location.reload(); }, 600);
        } else {
          window.setTimeout(poll, 700);
        }
      }, function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }

  // The try-it chat: the draft answers; the dialogue state travels with each message.
  var box = document.querySelector("[data-try]");
  if (box) {
    var log = box.querySelector(".try-log");
    var busy = box.querySelector(".try-busy");
    var input = box.querySelector("#try-text");
    var language = box.querySelector("#try-language");
    var form = box.querySelector("[data-try-form]");
    var state = {};
    var trial = box.getAttribute("data-trial");
    var t = function (key) { return box.getAttribute("data-t-" + key) || ""; };

    var add = function (who, text, extra) {
      var li = document.createElement("li");
      li.className = "msg " + who;
      var name = document.createElement("span");
      name.className = "who";
      name.textContent = who === "you" ? t("you") : t("bot");
      var body = document.createElement("p");
      body.textContent = text;
      li.appendChild(name);
      li.appendChild(body);
      if (extra) li.appendChild(extra);
      log.appendChild(li);
      log.scrollTop = log.scrollHeight;
      return li;
    };

    var send = function (text, intent) {
      add("you", text);
      busy.hidden = false;
      busy.textContent = t("training");
      form.querySelector("button").disabled = true;
      api("POST", "/api/v1/admin/bot/try", {
        text: text, intent: intent || null, language: language.value, state: state, trial_id: trial
      }, box.getAttribute("data-csrf")).then(function (out) {
        state = out.state || {};
        out.replies.forEach(function (reply, i) {
          var extra = null;
          if (reply.buttons && reply.buttons.length) {
            extra = document.createElement("div");
            extra.className = "try-buttons";
            reply.buttons.forEach(function (b) {
              var btn = document.createElement("button");
              btn.type = "button";
              btn.textContent = b.label;
              btn.addEventListener("click", function () { send(b.text || b.label, b.intent); });
              extra.appendChild(btn);
            });
          }
          var li = add("bot", reply.text, extra);
          if (i === out.replies.length - 1) {
            var detail = document.createElement("p");
            detail.className = "detail";
            detail.textContent = fill(t("detail"), {
              intent: out.intent || "–",
              confidence: out.confidence !== null && out.confidence !== undefined ? out.confidence.toFixed(2) : "–",
              outcome: out.outcome || "–"
            });
            li.appendChild(detail);
          }
        });
      }, function (err) {
        add("bot", fill(t("failed"), { error: err.message }));
      }).then(function () {
        busy.hidden = true;
        form.querySelector("button").disabled = false;
        input.focus();
      });
    };

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      send(text, null);
    });
    box.querySelector("[data-try-reset]").addEventListener("click", function () {
      state = {};
      log.textContent = "";
      input.focus();
    });
  }
})();
/* Colour swatches beside colour fields (set through the CSSOM, which the CSP allows). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-swatch]"), function (swatch) {
    var input = swatch.parentNode.querySelector("input");
    var paint = function () {
      if (/^#[0-9a-fA-F]{6}$/.test(input.value.trim())) swatch.style.background = input.value.trim();
    };
    input.addEventListener("input", paint);
    paint();
  });
})();
