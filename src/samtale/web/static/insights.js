/* Insight pages: read the SVG charts by keyboard (arrow keys, Home, End move along the points and
   the value is read out), and follow a publish started from the review inbox. */
(function () {
  "use strict";

  function setupChart(svg) {
    var points = Array.prototype.slice.call(svg.querySelectorAll(".pt"));
    if (!points.length) return;
    var card = svg.closest(".card") || svg.parentNode;
    var readout = null;
    var next = svg.nextElementSibling;
    if (next && next.classList.contains("chart-readout")) readout = next;
    else if (card) readout = card.querySelector(".chart-readout");
    var index = -1;

    function show(i) {
      if (index >= 0 && points[index]) points[index].classList.remove("on");
      index = Math.max(0, Math.min(points.length - 1, i));
      points[index].classList.add("on");
      if (readout) readout.textContent = points[index].getAttribute("data-say") || "";
    }

    svg.addEventListener("keydown", function (e) {
      var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
      if (step) show(index < 0 ? 0 : index + step);
      else if (e.key === "Home") show(0);
      else if (e.key === "End") show(points.length - 1);
      else if (e.key === "PageDown") show(index + 7);
      else if (e.key === "PageUp") show(index - 7);
      else return;
      e.preventDefault();
    });
    svg.addEventListener("focus", function () { if (index < 0) show(0); });
    svg.addEventListener("blur", function () {
      if (index >= 0 && points[index]) points[index].classList.remove("on");
    });
    points.forEach(function (p, i) {
      p.addEventListener("mouseenter", function () {
        if (readout) readout.textContent = p.getAttribute("data-say") || "";
        index = i;
      });
    });
  }

  function followJob(el) {
    var url = el.getAttribute("data-job-poll");
    var bar = el.querySelector("progress");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) return;
          if (bar) { bar.max = job.total || 1; bar.value = job.done; }
          if (job.status === "succeeded" || job.status === "failed") window.location.reload();
          else window.setTimeout(tick, 1500);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }
    window.setTimeout(tick, 1000);
  }

  document.querySelectorAll("svg[data-chart]").forEach(setupChart);
  document.querySelectorAll("[data-job-poll]").forEach(followJob);
})();
