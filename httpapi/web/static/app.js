// Progressive enhancement of the petition pages: live count over SSE, map
// tooltips, sortable constituency table. The pages work without it.
(function () {
  "use strict";
  var fmt = new Intl.NumberFormat("en-GB");

  function setCount(n) {
    var el = document.getElementById("signature-count");
    if (!el) return;
    el.textContent = fmt.format(n);
    el.dataset.count = String(n);
    ["response", "debate"].forEach(function (k) {
      var bar = document.getElementById("progress-" + k);
      if (!bar) return;
      var max = Number(bar.dataset.threshold);
      bar.value = Math.min(n, max);
      var pct = Math.min(100, Math.floor((n * 100) / max)) + "%";
      bar.textContent = pct;
      var label = document.getElementById("pct-" + k);
      if (label) label.textContent = pct;
    });
  }

  function live() {
    var article = document.querySelector("article[data-petition]");
    if (!article || !window.EventSource) return;
    var status = document.getElementById("live-status");
    var es = new EventSource("/petitions/" + article.dataset.petition + "/live");
    es.addEventListener("count", function (e) {
      var doc = JSON.parse(e.data);
      setCount(doc.signature_count);
      if (status) status.textContent = "Live: updated " + new Date().toLocaleTimeString("en-GB") + ".";
    });
    es.onerror = function () {
      if (status) status.textContent = "Live updates paused; reconnecting.";
    };
  }

  function tooltips() {
    var map = document.getElementById("hexmap");
    var tip = document.getElementById("map-tooltip");
    if (!map || !tip) return;
    function show(a) {
      tip.textContent = a.dataset.name + " (" + a.dataset.mp + "): " + fmt.format(Number(a.dataset.count)) + " signatures";
      var r = a.getBoundingClientRect();
      tip.style.left = window.scrollX + r.right + 6 + "px";
      tip.style.top = window.scrollY + r.top - 4 + "px";
      tip.hidden = false;
    }
    function hide() { tip.hidden = true; }
    map.querySelectorAll("a.hex").forEach(function (a) {
      a.addEventListener("mouseenter", function () { show(a); });
      a.addEventListener("focus", function () { show(a); });
      a.addEventListener("mouseleave", hide);
      a.addEventListener("blur", hide);
    });
  }

  function sortable() {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var ths = table.querySelectorAll("thead th");
      ths.forEach(function (th, col) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(b);
        b.addEventListener("click", function () {
          var asc = th.getAttribute("aria-sort") !== "ascending";
          ths.forEach(function (o) { o.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", asc ? "ascending" : "descending");
          var numeric = th.dataset.sort === "number";
          var body = table.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (x, y) {
            var a = x.cells[col], c = y.cells[col], d;
            if (numeric) d = Number(a.dataset.value) - Number(c.dataset.value);
            else d = a.textContent.localeCompare(c.textContent, "en-GB");
            return asc ? d : -d;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    live();
    tooltips();
    sortable();
  });
})();
