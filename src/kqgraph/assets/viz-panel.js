// The side panel and the date filter of the network page (kqgraph.panel gives the data).
// Kept apart from viz.js: it reads the page's data and the network viz.js exposes
// (window.kqData, kqNetwork, kqNodes, kqEdges, kqApplyFilters), and hooks into the filters
// through window.kqHiddenAt and window.kqAfterFilters. Every text is set with textContent.
(function () {
  "use strict";
  var data = window.kqData;  // parsed by viz.js
  var T = data.text, P = data.panel;
  var network = window.kqNetwork, edgesDS = window.kqEdges, nodesDS = window.kqNodes;
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  // --- Dates: the rules of kqgraph.dates, in JavaScript (tests compare the two). ----------
  // A year stands for every day of it, a month for every day of the month; several
  // sources' values for one step are intersected, and intervals that do not meet are a
  // dispute.
  function pad2(n) { return (n < 10 ? "0" : "") + n; }
  function interval(value) {
    var v = String(value).slice(0, 10);
    if (v.length === 4) { return [v + "-01-01", v + "-12-31"]; }
    if (v.length === 7) {
      var last = new Date(Date.UTC(+v.slice(0, 4), +v.slice(5, 7), 0)).getUTCDate();
      return [v + "-01", v + "-" + pad2(last)];
    }
    return [v, v];
  }
  function span(text) {
    var values = (text || "").split(" · ").filter(function (v) { return v; });
    if (!values.length) { return null; }
    var bounds = values.map(interval);
    var los = bounds.map(function (b) { return b[0]; }).sort();
    var his = bounds.map(function (b) { return b[1]; }).sort();
    return { lo: los[los.length - 1], hi: his[0], earliest: los[0], latest: his[his.length - 1] };
  }
  function passed(step, day) {
    if (step.lo > step.hi) {
      if (step.latest <= day) { return "yes"; }
      return day < step.earliest ? "no" : "disputed";
    }
    if (step.hi <= day) { return "yes"; }
    return day < step.lo ? "no" : "unsure";
  }
  function status(startText, endText, day) {
    day = interval(day)[0];
    var start = span(startText), end = span(endText);
    if (!start) { return "undated"; }
    var begun = passed(start, day);
    if (begun !== "yes") { return { no: "not yet", unsure: "uncertain", disputed: "disputed" }[begun]; }
    if (!end) { return "in force"; }
    return { no: "in force", yes: "ended", unsure: "uncertain", disputed: "disputed" }[passed(end, day)];
  }
  window.kqDates = { interval: interval, span: span, status: status };

  // --- Date filter: what existed or was in force on a day (a month slider). ---------------
  var day = null;
  function kept(entry) {
    if (!day || !entry) { return true; }
    var s = status(entry.start, entry.end, day);
    return s === "in force" || s === "undated";
  }
  window.kqHiddenAt = function (id) { return !kept(P.nodes[id]); };
  var edgeHidden = {};  // as in applyFilters, only the edges whose state changes are updated
  window.kqAfterFilters = function () {
    var hiddenNode = {};
    nodesDS.get({ filter: function (n) { return n.hidden; } }).forEach(function (n) { hiddenNode[n.id] = true; });
    var changes = [], shown = 0;
    data.edges.forEach(function (e) {
      var hide = !kept(P.edges[e.id]);
      if (hide !== !!edgeHidden[e.id]) { changes.push({ id: e.id, hidden: hide }); edgeHidden[e.id] = hide; }
      if (!hide && !hiddenNode[e.from] && !hiddenNode[e.to]) { shown += 1; }
    });
    if (changes.length) { edgesDS.update(changes); }
    document.body.setAttribute("data-edges-visible", String(shown));
  };
  var first = "9999", last = "0000";
  function consider(entry) {
    [entry.start, entry.end].forEach(function (text) {
      var s = span(text);
      if (s) { first = s.earliest < first ? s.earliest : first; last = s.latest > last ? s.latest : last; }
    });
  }
  Object.keys(P.nodes).forEach(function (k) { consider(P.nodes[k]); });
  Object.keys(P.edges).forEach(function (k) { consider(P.edges[k]); });
  var y0 = +first.slice(0, 4), months = first <= last ? (+last.slice(0, 4) - y0) * 12 + +last.slice(5, 7) : 1;
  function monthAt(k) { return (y0 + Math.floor(k / 12)) + "-" + pad2(k % 12 + 1); }
  var box = el("span", null, "kq-date"), on = el("input"), slider = el("input");
  var shownDay = el("output", T.dateAll), label = el("label", T.dateOn);
  on.type = "checkbox"; on.id = "date-on"; label.htmlFor = "date-on";
  slider.type = "range"; slider.id = "date"; slider.min = "0"; slider.max = String(Math.max(months - 1, 0));
  slider.step = "1"; slider.value = slider.max; slider.disabled = true; shownDay.id = "date-shown";
  slider.setAttribute("data-first", monthAt(0));
  box.appendChild(on); box.appendChild(label); box.appendChild(slider); box.appendChild(shownDay);
  document.querySelector("header").appendChild(box);
  function setDay(value) {
    day = value || null;
    on.checked = !!day; slider.disabled = !day;
    shownDay.textContent = day || T.dateAll;
    document.body.setAttribute("data-date", day || "");
    window.kqApplyFilters();
  }
  on.addEventListener("change", function () { setDay(on.checked ? monthAt(+slider.value) + "-01" : null); });
  slider.addEventListener("input", function () { setDay(monthAt(+slider.value) + "-01"); });
  // A day of one's own (YYYY-MM-DD), for a link or a test: the slider follows to its month.
  window.kqSetDate = function (value) {
    if (value && y0) { slider.value = String((+value.slice(0, 4) - y0) * 12 + +value.slice(5, 7) - 1); }
    setDay(value);
  };

  // --- Side panel: names, facts, relations and numbered sources of the clicked node. ------
  var aside = el("aside");
  aside.id = "panel"; aside.hidden = true;
  document.getElementById("main").insertBefore(aside, document.getElementById("legend"));
  var related = null;  // each node's links, made when the panel first opens
  function relatedTo(id) {
    if (!related) {
      related = {};
      data.edges.forEach(function (e) {
        (related[e.from] = related[e.from] || []).push({ edge: e, other: e.to, out: true });
        (related[e.to] = related[e.to] || []).push({ edge: e, other: e.from, out: false });
      });
    }
    return related[id];
  }
  // "Mila–Seoul AI Hub MOU (2023)" on 2023-06-27 reads "Mila–Seoul AI Hub MOU (2023-06-27)".
  function dated(name, entry) {
    if (!entry || !entry.start) { return name; }
    var when = entry.start + (entry.end ? " – " + entry.end : ""), year = "(" + entry.start.slice(0, 4) + ")";
    if (name.slice(-year.length) === year) { return name.slice(0, -year.length) + "(" + when + ")"; }
    return name + " (" + when + ")";
  }
  function showPanel(id) {
    var n = byId[id];
    if (!n) { return; }
    var d = P.nodes[id] || { facts: [], sources: [] }, local = [];
    function cite(list) {
      return (list || []).map(function (i) {
        var at = local.indexOf(i);
        if (at < 0) { local.push(i); at = local.length - 1; }
        return "[" + (at + 1) + "]";
      }).join("");
    }
    aside.textContent = "";
    var close = el("button", T.close, "close"); close.type = "button";
    close.addEventListener("click", function () { aside.hidden = true; document.body.removeAttribute("data-panel"); fit(); });
    aside.appendChild(close);
    aside.appendChild(el("h2", n.label));
    aside.appendChild(el("div", n.classLabel + (n.countryLabel ? " · " + n.countryLabel : "") + " " + cite(d.sources), "muted"));
    aside.appendChild(el("h3", T.names));
    var names = el("ul", null, "names");
    ["ko", "en", "fr"].forEach(function (code, i) {
      var text = n.labels[i] ? code + " " + n.labels[i]
        : code + " — " + T.missing.replace("{language}", T.languages[code]);
      names.appendChild(el("li", text, n.labels[i] ? "" : "missing"));
    });
    aside.appendChild(names);
    var facts = n.details.slice();
    if (n.sectorLabels.length) { facts.unshift(T.sector + ": " + n.sectorLabels.join(", ")); }
    var list = el("ul", null, "facts");
    facts.forEach(function (f) { list.appendChild(el("li", f)); });
    d.facts.forEach(function (f) { list.appendChild(el("li", f[0] + " " + cite(f[1]))); });
    if (facts.length || d.facts.length) { aside.appendChild(el("h3", T.facts)); aside.appendChild(list); }
    var links = (relatedTo(id) || []).slice().sort(function (a, b) {
      return (a.out === b.out ? 0 : a.out ? -1 : 1) || (a.edge.label < b.edge.label ? -1 : a.edge.label > b.edge.label ? 1 : 0);
    });
    if (links.length) {
      aside.appendChild(el("h3", T.relations));
      var rel = el("ul", null, "relations");
      links.forEach(function (l) {
        var li = el("li"), other = byId[l.other], info = P.edges[l.edge.id];
        // An edge dated only by this node's own dates (Mila's founding) says nothing more.
        var own = info && info.start === d.start && info.end === d.end;
        var go = el("button", dated(other ? other.label : l.other, own ? null : info), "kq-goto");
        go.type = "button";
        go.addEventListener("click", function () {
          network.selectNodes([l.other]); network.focus(l.other, { scale: 1.2, animation: false });
          if (window.kqNameInView) { window.kqNameInView(); }
          showPanel(l.other);
        });
        li.appendChild(document.createTextNode(l.out ? l.edge.label + " → " : "← " + l.edge.label + " · "));
        li.appendChild(go);
        li.appendChild(document.createTextNode(" " + cite(info ? info.sources : [])));
        rel.appendChild(li);
      });
      aside.appendChild(rel);
    }
    if (local.length) {
      aside.appendChild(el("h3", T.sources));
      var ol = el("ol", null, "sources");
      local.forEach(function (index, at) {
        var s = P.sources[index], li = el("li");
        li.appendChild(document.createTextNode("[" + (at + 1) + "] " + [s.label].concat([s.publisher, s.date].filter(function (x) {
          return x && s.label.indexOf(x) < 0; })).join(", ")));
        if (s.url && /^https?:\/\//.test(s.url)) {
          var a = el("a", s.url); a.href = s.url; a.target = "_blank"; a.rel = "noopener noreferrer";
          li.appendChild(document.createTextNode(s.via ? " — " + T.via + " " : " — "));
          li.appendChild(a);
        }
        ol.appendChild(li);
      });
      aside.appendChild(ol);
    }
    aside.hidden = false;
    document.body.setAttribute("data-panel", id);
    fit();
  }
  // The panel takes its width from the network's: resize the canvas now (keeping the view's
  // centre) rather than at vis-network's next size poll, up to a second later, when a second
  // click would land on a network that has moved under the pointer.
  function fit() { network.setSize("100%", "100%"); network.redraw(); }
  window.kqShowPanel = showPanel;
  network.on("click", function (p) { if (p.nodes.length) { showPanel(p.nodes[0]); } });
  window.kqApplyFilters();  // once more, now that the date hooks are in place
})();
