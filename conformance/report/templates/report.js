/* Offline filtering, dtype toggle, cell jumps and copy buttons. Data comes from the
   JSON block above; nothing here writes HTML, only toggles visibility and text. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var search = $("f-search"), fProp = $("f-property"), fOp = $("f-op"), fDtype = $("f-dtype"), fStatus = $("f-status");
  var byDtype = $("by-dtype");

  function matches(item, q) {
    return (!fProp.value || item.property === fProp.value) &&
      (!fOp.value || item.op === fOp.value) &&
      (!fDtype.value || item.dtype === fDtype.value) &&
      (!fStatus.value || item.status === fStatus.value) &&
      (!q || item.text.indexOf(q) !== -1 || item.op.toLowerCase().indexOf(q) !== -1);
  }

  function applyList(items, q) {
    var shown = 0;
    items.forEach(function (item) {
      var el = $(item.anchor);
      if (!el) { return; }
      var ok = matches(item, q);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    return shown;
  }

  function applyMatrix(q) {
    document.querySelectorAll("table.matrix").forEach(function (table) {
      table.querySelectorAll("[data-property]").forEach(function (el) {
        if (el.tagName === "A") { return; }
        el.hidden = !!fProp.value && el.getAttribute("data-property") !== fProp.value;
      });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        var op = tr.getAttribute("data-op"), dt = tr.getAttribute("data-dtype");
        var states = tr.getAttribute("data-states").split(" ");
        tr.hidden = (fOp.value && op !== fOp.value) ||
          (fDtype.value && dt && dt !== fDtype.value) ||
          (fStatus.value && states.indexOf(fStatus.value) === -1) ||
          (q && op.toLowerCase().indexOf(q) === -1 && !data.divergences.concat(data.tests).some(function (i) {
            return i.op === op && i.text.indexOf(q) !== -1;
          }));
      });
    });
  }

  function apply() {
    var q = search.value.trim().toLowerCase();
    var nd = applyList(data.divergences, q), nt = applyList(data.tests, q);
    $("div-none").hidden = nd > 0 || data.divergences.length === 0;
    $("tests-none").hidden = nt > 0;
    applyMatrix(q);
    var filtered = q || fProp.value || fOp.value || fDtype.value || fStatus.value;
    $("f-count").textContent = filtered ? ("showing " + nd + " of " + data.divergences.length +
      " divergences, " + nt + " of " + data.tests.length + " tests") : "";
  }

  [search, fProp, fOp, fDtype, fStatus].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  $("f-reset").addEventListener("click", function () {
    search.value = ""; fProp.value = ""; fOp.value = ""; fDtype.value = ""; fStatus.value = "";
    apply();
  });

  byDtype.addEventListener("change", function () {
    $("matrix-op").hidden = byDtype.checked;
    $("matrix-dtype").hidden = !byDtype.checked;
  });

  document.querySelectorAll("a.jump").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      search.value = ""; fStatus.value = "";
      fOp.value = a.getAttribute("data-op");
      fProp.value = a.getAttribute("data-property");
      fDtype.value = a.getAttribute("data-dtype") || "";
      apply();
      var target;
      if (a.getAttribute("data-has-div") === "1") {
        target = data.divergences.filter(function (i) { return !$(i.anchor).hidden; })[0];
        target = target ? $(target.anchor) : $("divergences");
      } else {
        target = $("tests");
        target.querySelector("details").open = true;
      }
      if (target.id) { history.replaceState(null, "", "#" + target.id); }
      target.scrollIntoView({ block: "start" });
    });
  });

  function copyText(text, button) {
    var done = function () {
      button.textContent = "Copied";
      button.classList.add("copied");
      setTimeout(function () { button.textContent = "Copy"; button.classList.remove("copied"); }, 1500);
    };
    var fallback = function () {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed"; ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      try { document.execCommand("copy"); done(); } catch (e) { button.textContent = "Select & copy manually"; }
      document.body.removeChild(ta);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.addEventListener("click", function () { copyText($(b.getAttribute("data-copy")).textContent, b); });
  });

  apply();
}());
