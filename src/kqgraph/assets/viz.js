(function () {
  "use strict";
  // Parsed once for the page's three scripts, which only read it (each parse of a large
  // network's data took a few hundred milliseconds of the page's opening).
  var data = window.kqData = JSON.parse(document.getElementById("kq-data").textContent);
  var T = data.text;
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  // --- Legend shapes: each class's shape drawn as the network draws it, not named. --------
  var FONTS = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans KR', 'Noto Sans CJK KR', " +
              "'Apple SD Gothic Neo', 'Malgun Gothic', NanumGothic, sans-serif";
  function shapeIcon(shape, color) {
    var c = document.createElement("canvas"), r = 7, ctx;
    c.width = 16; c.height = 16; c.className = "swatch"; c.setAttribute("data-shape", shape);
    c.setAttribute("aria-hidden", "true");
    ctx = c.getContext("2d");
    ctx.fillStyle = color; ctx.strokeStyle = "#555"; ctx.lineWidth = 1;
    ctx.beginPath();
    function poly(points) {
      points.forEach(function (p, i) { if (i) { ctx.lineTo(8 + p[0], 8 + p[1]); } else { ctx.moveTo(8 + p[0], 8 + p[1]); } });
      ctx.closePath();
    }
    function around(n, radius, turn) {
      var pts = [];
      for (var i = 0; i < n; i++) { var a = turn + i * 2 * Math.PI / n; pts.push([radius(i) * Math.cos(a), radius(i) * Math.sin(a)]); }
      return pts;
    }
    if (shape === "diamond") { poly([[0, -r], [r, 0], [0, r], [-r, 0]]); }
    else if (shape === "triangle") { poly([[0, -r], [r, r * 0.8], [-r, r * 0.8]]); }
    else if (shape === "square") { poly([[-r + 1, -r + 1], [r - 1, -r + 1], [r - 1, r - 1], [-r + 1, r - 1]]); }
    else if (shape === "hexagon") { poly(around(6, function () { return r; }, 0)); }
    else if (shape === "star") { poly(around(10, function (i) { return i % 2 ? r * 0.45 : r; }, -Math.PI / 2)); }
    else if (shape === "ellipse") { ctx.ellipse(8, 8, r, r * 0.6, 0, 0, 2 * Math.PI); }
    else { ctx.arc(8, 8, r - 1, 0, 2 * Math.PI); }
    ctx.fill(); ctx.stroke();
    return c;
  }
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").normalize("NFC").toLowerCase();
  }
  function tooltip(n) {
    var box = el("div", null, "kq-tip");
    box.appendChild(el("b", n.label));
    box.appendChild(el("div", n.classLabel + (n.countryLabel ? " · " + n.countryLabel : ""), "muted"));
    var other = n.labels.filter(function (l) { return l && l !== n.label; });
    if (other.length) { box.appendChild(el("div", other.join(" · "), "muted")); }
    n.details.forEach(function (d) { box.appendChild(el("div", d)); });
    if (n.sectorLabels.length) { box.appendChild(el("div", T.sector + ": " + n.sectorLabels.join(", "))); }
    if (n.facts.length) {
      box.appendChild(el("div", T.facts + ":"));
      var ul = el("ul");
      n.facts.forEach(function (f) { ul.appendChild(el("li", f)); });
      box.appendChild(ul);
    }
    box.appendChild(el("div", T.sources + ": " + n.sources.join("; "), "muted"));
    return box;
  }
  // A large network (thousands of nodes) is drawn lighter: no arrowheads or borders, which
  // cost most of each frame there and are below a pixel at its zoom, and no edges while it
  // is dragged or zoomed. Directions stay in the tooltips and the side panel.
  var large = data.large;
  var FONT_SIZE = 14;  // the nodes' names
  // It also opens without names on its nodes: measuring thousands of labels cost about half
  // a second of its opening, and at the zoom that shows it whole they are below the size
  // vis-network draws. Zoomed in, the nodes in view get theirs (nameInView). An ellipse
  // keeps its name: the name is its shape.
  var named = {};
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    var name = !large || n.shape === "ellipse";
    if (name) { named[n.id] = true; }
    return { id: n.id, label: name ? n.label : undefined, shape: n.shape, color: n.color,
             size: n.size, x: n.x, y: n.y, title: tooltip(n), font: { multi: false } };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return { id: e.id, from: e.from, to: e.to, title: el("div", e.label, "kq-tip") };
  }));
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  var options = {
    layout: { randomSeed: data.seed, improvedLayout: false },
    interaction: { hover: true, tooltipDelay: 120, navigationButtons: false,
                   hideEdgesOnDrag: large, hideEdgesOnZoom: large },
    nodes: { font: { size: FONT_SIZE, face: FONTS }, borderWidth: large ? 0 : 1 },
    // Edges' look in the options, not on each edge: each one's own options are merged
    // into its defaults when it is made (a tenth of a second at 20,000 edges).
    edges: { smooth: data.physics ? { type: "continuous" } : false, width: 1,
             arrows: { to: { enabled: !large } }, font: { multi: false, size: 11 },
             color: { color: "#9aa", highlight: "#333" } },
    physics: data.physics ? {
      enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: { gravitationalConstant: -60, springLength: 120 },
      stabilization: { enabled: true, iterations: 150, updateInterval: 50, fit: true }
    } : { enabled: false }
  };
  document.getElementById("title").textContent = data.title;
  document.getElementById("footer").textContent = data.footer;
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.kqNetwork = network;
  window.kqNodes = nodes;
  window.kqEdges = edges;
  var frozen = !data.physics;
  var freeze = document.getElementById("freeze");
  function showFreeze() { freeze.textContent = frozen ? T.unfreeze : T.freeze; }
  freeze.addEventListener("click", function () {
    frozen = !frozen;
    network.setOptions({ physics: { enabled: !frozen } });
    showFreeze();
  });
  showFreeze();
  function ready() { document.body.setAttribute("data-ready", "1"); }
  if (data.physics) {
    network.once("stabilizationIterationsDone", function () {
      frozen = true; network.setOptions({ physics: { enabled: false } }); showFreeze(); ready();
    });
  } else {
    network.once("afterDrawing", ready);
  }
  // Names of the nodes in view, once the zoom makes them readable (vis-network draws a label
  // from 5 px on screen). Called a moment after the view stops changing.
  var naming = null;
  function nameInView() {
    if (!large || network.getScale() * FONT_SIZE < 5) { return; }
    var w = container.clientWidth, h = container.clientHeight;
    var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: w, y: h });
    var at = network.getPositions(), add = [];
    data.nodes.forEach(function (n) {
      var p = at[n.id];
      if (!named[n.id] && p && p.x >= a.x && p.x <= b.x && p.y >= a.y && p.y <= b.y) {
        named[n.id] = true; add.push({ id: n.id, label: n.label });
      }
    });
    if (add.length) { nodes.update(add); }
    document.body.setAttribute("data-named", String(Object.keys(named).length));
  }
  function nameSoon() { clearTimeout(naming); naming = setTimeout(nameInView, 150); }
  window.kqNameInView = nameInView;
  ["zoom", "dragEnd", "animationFinished"].forEach(function (e) { network.on(e, nameSoon); });
  network.on("hoverEdge", function (p) { edges.update({ id: p.edge, label: edgeLabel[p.edge] }); });
  network.on("blurEdge", function (p) { edges.update({ id: p.edge, label: "" }); });
  var edgeLabel = {};
  data.edges.forEach(function (e) { edgeLabel[e.id] = e.label; });

  // Filters: classes in the legend, sector and country in the header.
  var hiddenClass = {};
  var sectorSel = document.getElementById("sector");
  var countrySel = document.getElementById("country");
  function option(value, text) { var o = el("option", text); o.value = value; return o; }
  sectorSel.appendChild(option("", T.sector + ": " + T.all));
  data.sectors.forEach(function (s) { sectorSel.appendChild(option(s.id, s.label)); });
  countrySel.appendChild(option("", T.country + ": " + T.all));
  data.countries.forEach(function (c) { countrySel.appendChild(option(c.id, c.label)); });
  // Only the nodes whose state changes are updated: each update redraws the network, which
  // costs seconds with thousands of nodes (and nothing is hidden when the page opens).
  var hiddenNow = {};
  function applyFilters() {
    var sector = sectorSel.value, country = countrySel.value, changes = [], visible = 0;
    data.nodes.forEach(function (n) {
      var hide = !!(hiddenClass[n.class] || (sector && n.sectors.indexOf(sector) < 0) ||
                    (country && n.country !== country) || (window.kqHiddenAt ? window.kqHiddenAt(n.id) : false));
      if (hide !== !!hiddenNow[n.id]) { changes.push({ id: n.id, hidden: hide }); hiddenNow[n.id] = hide; }
      if (!hide) { visible += 1; }
    });
    if (changes.length) { nodes.update(changes); }
    if (window.kqAfterFilters) { window.kqAfterFilters(); }
    document.body.setAttribute("data-visible", String(visible));
  }
  window.kqApplyFilters = applyFilters;
  sectorSel.addEventListener("change", applyFilters);
  countrySel.addEventListener("change", applyFilters);
  var legend = document.getElementById("legend");
  legend.appendChild(el("div", T.class, "muted"));
  data.legend.forEach(function (item) {
    var row = el("label");
    var box = el("input"); box.type = "checkbox"; box.checked = true;
    box.setAttribute("data-class", item.class);
    box.addEventListener("change", function () { hiddenClass[item.class] = !box.checked; applyFilters(); });
    var swatch = shapeIcon(item.shape, item.color);
    row.appendChild(box); row.appendChild(swatch); row.appendChild(el("span", item.label));
    legend.appendChild(row);
  });

  // Search: any label, any language, accents and case ignored.
  var search = document.getElementById("search");
  search.placeholder = T.search;
  var status = document.getElementById("status");
  function find() {
    var q = fold(search.value.trim());
    status.textContent = "";
    if (!q) { return; }
    // Best match first, as `kqgraph search` ranks: exact, then prefix, then shortest label.
    var hit = null, best = null;
    data.nodes.forEach(function (n) {
      [n.label].concat(n.labels).forEach(function (l) {
        if (!l) { return; }
        var f = fold(l), at = f.indexOf(q);
        if (at < 0) { return; }
        var score = [f === q ? 0 : 1, at === 0 ? 0 : 1, f.length];
        if (!best || score[0] < best[0] || (score[0] === best[0] && (score[1] < best[1] ||
            (score[1] === best[1] && score[2] < best[2])))) { best = score; hit = n; }
      });
    });
    if (!hit) { status.textContent = T.notfound; return; }
    network.selectNodes([hit.id]);
    network.focus(hit.id, { scale: 1.4, animation: false });
    nameInView();
    document.body.setAttribute("data-focused", hit.id);
  }
  search.addEventListener("change", find);
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") { find(); } });
  document.getElementById("fit").textContent = T.fit;
  document.getElementById("fit").addEventListener("click", function () { network.fit(); });
  applyFilters();
})();
