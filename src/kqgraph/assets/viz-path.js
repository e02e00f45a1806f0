// Paths in the network (kqgraph.vizpath): `kqgraph viz --path A B` highlights every shortest
// chain and dims the rest; "Path from here to…" finds one in the page between the selected
// node and the next one clicked or found with the search box. The rules are `kqgraph path`'s:
// links walked either way, places avoided unless no other chain exists, among chains of equal
// length the first by its nodes' IRIs. Kept apart from viz.js, whose network it reads
// (window.kqData, kqNetwork, kqNodes, kqEdges). Text from the data is set with textContent only.
(function () {
  "use strict";
  var network = window.kqNetwork, nodes = window.kqNodes, edges = window.kqEdges;
  if (!network) { return; }
  var data = window.kqData;  // parsed by viz.js
  var P = data.paths, T = P.text;
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function fill(template, values) {
    return template.replace(/\{(\d)\}/g, function (_, i) { return values[Number(i)]; });
  }
  function when(link) {
    if (link.start && link.end) { return link.start + " – " + link.end; }
    return link.start || (link.end ? "… – " + link.end : "");
  }
  var byId = {}, avoid = {}, near = null, between = null;
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  P.avoid.forEach(function (c) { avoid[c] = true; });
  function compare(a, b) { return a < b ? -1 : (a > b ? 1 : 0); }
  function byIri(a, b) { return compare(byId[a].iri, byId[b].iri); }
  // Each node's neighbours by IRI and the links between two nodes, made at the first path
  // asked for (a quarter of a second for a large network, not spent on opening the page).
  function index() {
    if (near) { return; }
    near = {}; between = {};
    data.nodes.forEach(function (n) { near[n.id] = {}; });
    data.edges.forEach(function (e) {
      if (e.from === e.to) { return; }
      near[e.from][e.to] = true; near[e.to][e.from] = true;
      [e.from + "\n" + e.to, e.to + "\n" + e.from].forEach(function (k) {
        (between[k] = between[k] || []).push(e);
      });
    });
    Object.keys(near).forEach(function (id) { near[id] = Object.keys(near[id]).sort(byIri); });
  }

  // The first shortest chain from a to b: distances to b, then from a the first neighbour
  // by IRI one step closer, each time.
  function shortest(a, b, avoiding) {
    index();
    function open(v) { return v === a || v === b || !avoiding || !avoid[byId[v].class]; }
    var dist = {}, queue = [b];
    dist[b] = 0;
    for (var i = 0; i < queue.length && !(a in dist); i++) {
      var u = queue[i];
      near[u].forEach(function (v) {
        if (!(v in dist) && open(v)) { dist[v] = dist[u] + 1; queue.push(v); }
      });
    }
    if (!(a in dist)) { return null; }
    var chain = [a];
    while (chain[chain.length - 1] !== b) {
      var here = chain[chain.length - 1];
      chain.push(near[here].filter(function (v) { return dist[v] === dist[here] - 1; })[0]);
    }
    return chain;
  }
  // The link a hop follows: the first by property IRI, the one read forward first.
  function hop(u, v) {
    index();
    var found = between[u + "\n" + v].slice().sort(function (x, y) {
      return compare(P.links[x.id].property, P.links[y.id].property) ||
        compare(x.from === u ? 0 : 1, y.from === u ? 0 : 1);
    });
    return found[0];
  }

  var bar = el("div", null, "kq-path-bar");
  bar.id = "kq-path";
  bar.hidden = true;
  document.querySelector("header").insertAdjacentElement("afterend", bar);
  var from = el("button", T.from);
  from.id = "kq-path-from"; from.type = "button";
  var clear = el("button", T.clear);
  clear.id = "kq-path-clear"; clear.type = "button"; clear.hidden = true;
  var fit = document.getElementById("fit");
  fit.insertAdjacentElement("afterend", clear);
  fit.insertAdjacentElement("afterend", from);

  function say(text) {
    bar.textContent = "";
    bar.appendChild(el("div", text));
    bar.hidden = false;
  }
  function highlight(chainNodes, chainEdges, first) {
    var onNode = {}, onEdge = {};
    chainNodes.forEach(function (id) { onNode[id] = true; });
    chainEdges.forEach(function (id) { onEdge[id] = true; });
    nodes.update(data.nodes.map(function (n) {
      return onNode[n.id] ? { id: n.id, color: n.color, borderWidth: 3,
                              font: { multi: false, color: "#111111" } }
        : { id: n.id, color: { background: "#e6e6e6", border: "#d0d0d0" }, borderWidth: 1,
            font: { multi: false, color: "#b4b4b4" } };
    }));
    edges.update(data.edges.map(function (e) {
      return onEdge[e.id] ? { id: e.id, width: 4, color: { color: "#d62728", highlight: "#d62728" } }
        : { id: e.id, width: 1, color: { color: "#ebebeb", highlight: "#c8c8c8", hover: "#c8c8c8" } };
    }));
    document.body.setAttribute("data-path", first.join(" "));
    document.body.setAttribute("data-path-edges", chainEdges.slice().sort().join("\n"));
    clear.hidden = false;
  }
  function restore() {
    nodes.update(data.nodes.map(function (n) {
      return { id: n.id, color: n.color, borderWidth: data.large ? 0 : 1,
               font: { multi: false, color: "#343434" } };
    }));
    edges.update(data.edges.map(function (e) {
      return { id: e.id, width: 1, color: { color: "#9aa", highlight: "#333", hover: "#848484" } };
    }));
    document.body.removeAttribute("data-path");
    document.body.removeAttribute("data-path-edges");
    clear.hidden = true;
    bar.hidden = true;
  }
  function describe(head, steps, note) {
    say(head);
    if (note) { bar.appendChild(el("div", note, "muted")); }
    var list = el("ol");
    steps.forEach(function (s) {
      var item = el("li", s.text);
      var more = [s.when, s.sources.length ? T.sources + ": " + s.sources.join("; ") : ""]
        .filter(function (x) { return x; }).join(" · ");
      if (more) { item.appendChild(el("span", " (" + more + ")", "muted")); }
      list.appendChild(item);
    });
    bar.appendChild(list);
  }
  function show(a, b) {
    var through = false, chain = shortest(a, b, true);
    if (!chain) { chain = shortest(a, b, false); through = !!chain; }
    if (!chain) {
      restore();
      say(fill(T.none, [byId[a].label, byId[b].label]));
      return;
    }
    var hops = [], steps = [];
    for (var i = 1; i < chain.length; i++) {
      var e = hop(chain[i - 1], chain[i]), link = P.links[e.id], there = byId[chain[i]];
      hops.push(e.id);
      steps.push({ text: (e.from === chain[i - 1] ? "─ " + e.label + " → " : "← " + e.label + " ─ ") +
                   there.label, when: when(link),
                   sources: (link.sources || []).map(function (k) { return P.sources[k]; }) });
    }
    highlight(chain, hops, chain);
    describe(fill(T.hops, [byId[a].label, byId[b].label, chain.length - 1]), steps,
             through ? fill(T.through, [P.avoidLabels.join(", ")]) : "");
  }

  // For scripts and tests: the chain the page finds, as node ids ({chain, through}).
  window.kqShortest = function (a, b) {
    var chain = shortest(a, b, true);
    return chain ? { chain: chain, through: false }
      : { chain: shortest(a, b, false), through: true };
  };

  var origin = null;
  from.addEventListener("click", function () {
    var selected = network.getSelectedNodes();
    if (!selected.length) { say(T.select); return; }
    origin = selected[0];
    document.body.setAttribute("data-path-from", origin);
    say(fill(T.pick, [byId[origin].label]));
  });
  function end(id) {
    if (origin && id && id !== origin && byId[id]) {
      var a = origin;
      origin = null;
      document.body.removeAttribute("data-path-from");
      show(a, id);
    }
  }
  network.on("click", function (p) { if (p.nodes.length) { end(p.nodes[0]); } });
  var search = document.getElementById("search");
  function found() { end(network.getSelectedNodes()[0]); }  // after viz.js's own search
  search.addEventListener("change", found);
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") { found(); } });
  clear.addEventListener("click", function () { origin = null; restore(); });

  if (P.shown) {
    var s = P.shown;
    if (s.hops === null) {
      say(fill(T.none, [byId[s.source] ? byId[s.source].label : s.source,
                        byId[s.target] ? byId[s.target].label : s.target]));
    } else {
      highlight(s.nodes, s.edges, s.first);
      var notes = [s.through ? fill(T.through, [P.avoidLabels.join(", ")]) : "",
                   s.drawn ? "" : T.undrawn].filter(function (x) { return x; }).join(" ");
      describe(fill(T.hops, [byId[s.source] ? byId[s.source].label : s.source,
                             byId[s.target] ? byId[s.target].label : s.target, s.hops]),
               s.steps, notes);
    }
  }
})();
