(function () {
  "use strict";
  var raw = JSON.parse(document.getElementById("pcr-data").textContent);
  var groups = raw.groups || null;
  var hidden = {};  // filter key -> true when its tick box is cleared
  var scope = null;  // the detail view of one group: only these node ids (null: all)
  var nodes = null, edges = null, delayedNow = [];
  // The detail view's DataSets hold only the nodes in scope (vis draws what it holds, and
  // building a few hundred nodes is quicker than hiding a few thousand).
  function build() {
    var inside = {};
    var ns = [];
    raw.nodes.forEach(function (n) {
      if (scope === null || scope[n.id] === true) {
        inside[n.id] = true;
        if (n.pcrZoom !== undefined) { n.pcrShown = false; }
        ns.push(Object.assign({}, n, {hidden: hidden[n.pcrKey] === true}));
      }
    });
    var es = [];
    raw.edges.forEach(function (e) {
      if (inside[e.from] === true && inside[e.to] === true) {
        es.push(Object.assign({}, e, {hidden: hidden[e.pcrKey] === true ||
          hidden[raw.keys[e.from]] === true || hidden[raw.keys[e.to]] === true}));
      }
    });
    delayedNow = raw.nodes.filter(function (n) {
      return n.pcrZoom !== undefined && inside[n.id] === true;
    });
    nodes = new vis.DataSet(ns);
    edges = new vis.DataSet(es);
    window.pcrData = {nodes: nodes, edges: edges};
  }
  raw.keys = {};
  raw.names = {};
  raw.groupOf = {};  // node id -> the key of its summary-view group
  var networks = false;  // practices grouped by published Primary Care Network
  raw.nodes.forEach(function (n) {
    raw.keys[n.id] = n.pcrKey;
    raw.names[n.id] = n.pcrName;
    raw.groupOf[n.id] = n.pcrGroup || n.pcrKey;
    if (n.pcrGroup) { networks = true; }
  });
  if (!groups) { build(); }
  var groupNodes = groups ? new vis.DataSet(groups.nodes) : null;
  var groupEdges = groups ? new vis.DataSet(groups.edges) : null;
  // A big area opens on one node per sector; the providers are drawn on demand.
  var view = groups ? "groups" : "detail";
  var network = new vis.Network(document.getElementById("pcr-map"),
    groups ? {nodes: groupNodes, edges: groupEdges} : {nodes: nodes, edges: edges}, raw.options);
  window.pcrNetwork = network;
  window.pcrView = function () { return view; };
  window.pcrReady = false;
  network.once("afterDrawing", function () {
    window.pcrReadyMs = performance.now();
    window.pcrReady = true;
  });

  // Labels keep one size on screen whatever the zoom: LABEL_FONT canvas pixels at the
  // first view (where the layout guarantees no two overlap), so LABEL_FONT times that
  // view's scale on screen. A label with pcrZoom shows from that zoom (relative to the
  // first view) on: at any zoom the labels shown clear each other.
  var LABEL_FONT = groups ? groups.font : raw.options.nodes.font.size;
  var firstScale = 1;
  var screenFont = LABEL_FONT;
  function labelsFor(zoom) {
    if (view !== "detail") { return; }
    var changes = [];
    var z = Math.max(zoom, 1);
    delayedNow.forEach(function (n) {
      var show = n.pcrZoom <= z;
      if (show !== (n.pcrShown === true)) {
        n.pcrShown = show;
        changes.push({id: n.id, label: show ? n.pcrLabel : ""});
      }
    });
    if (changes.length) { nodes.update(changes); }
  }
  var fontShown = -1;
  function scaleLabels() {
    var scale = network.getScale();
    var size = Math.round(screenFont / scale * 100) / 100;
    if (size !== fontShown) {
      fontShown = size;
      network.setOptions({nodes: {font: {size: size}}});
    }
    labelsFor(scale / firstScale);
  }
  function labelBoxes() {
    var body = network.body, boxes = [];
    body.nodeIndices.forEach(function (id) {
      var node = body.nodes[id];
      if (node.options.hidden || !node.options.label) { return; }
      var s = node.labelModule.size;
      if (s.width > 0) { boxes.push([s.left, s.top, s.left + s.width, s.top + s.height]); }
    });
    return boxes;
  }
  function overlaps() {
    var boxes = labelBoxes();
    boxes.sort(function (a, b) { return a[0] - b[0]; });
    for (var i = 0; i < boxes.length; i++) {
      for (var j = i + 1; j < boxes.length && boxes[j][0] < boxes[i][2]; j++) {
        if (boxes[i][1] < boxes[j][3] && boxes[j][1] < boxes[i][3]) { return true; }
      }
    }
    return false;
  }
  function overview(fontSet) {
    if (fontSet !== true || fontShown !== LABEL_FONT) {
      fontShown = LABEL_FONT;
      network.setOptions({nodes: {font: {size: LABEL_FONT}}});
    }
    network.fit({animation: false, maxZoomLevel: 1.6});
    // fit() frames the shapes and labels; leave a small margin all round.
    network.moveTo({scale: network.getScale() * 0.95, animation: false});
    firstScale = network.getScale();
    screenFont = LABEL_FONT * Math.min(firstScale, 1.15);
    scaleLabels();
  }
  // The layout allowed for a typical face; a wider one could still make labels touch:
  // shrink them (on screen and canvas alike) until none do.
  function untangle() {
    for (var tries = 0; tries < 6 && overlaps(); tries++) {
      screenFont *= 0.9;
      scaleLabels();
      network.redraw();
    }
  }
  overview();
  network.on("zoom", scaleLabels);
  network.once("afterDrawing", untangle);

  var details = document.getElementById("pcr-details");
  var statusLine = document.getElementById("pcr-status");
  function clear(element) { while (element.firstChild) { element.removeChild(element.firstChild); } }
  function show(text) { clear(details); details.textContent = text; details.hidden = !text; }
  function say(text) { statusLine.textContent = text; }
  function add(parent, tag, text, css) {
    var element = document.createElement(tag);
    if (text !== undefined) { element.textContent = text; }
    if (css) { element.className = css; }
    parent.appendChild(element);
    return element;
  }
  function safeUrl(url) { return /^https?:\/\/[^\s]+$/i.test(url || ""); }
  // The link panel: id, type, period, themes, notes and every evidence item in full.
  function showLink(linkIri, edgeTitle) {
    var info = raw.links && raw.links[linkIri];
    if (!info) { show(edgeTitle || ""); return; }
    clear(details);
    details.hidden = false;
    add(details, "h3", (info.type || "Collaboration link") + (info.id ? " " + info.id : ""));
    var list = add(details, "dl");
    function row(name, value) {
      if (!value) { return; }
      add(list, "dt", name);
      add(list, "dd", value);
    }
    row("Link", info.id);
    row("Between", info.between);
    row("Period", info.period);
    row("Themes", info.themes.join(", "));
    row("Notes", info.notes);
    add(details, "h4", info.evidence.length ? "Evidence" : "Evidence: none recorded");
    var items = add(details, "ul", undefined, "evidence");
    info.evidence.forEach(function (ev) {
      var item = add(items, "li");
      if (safeUrl(ev.url)) {
        var a = add(item, "a", ev.title);
        a.href = ev.url;
        a.rel = "noopener noreferrer";
      } else {
        add(item, "span", ev.title, "title");
      }
      var meta = [ev.publisher, ev.date].filter(Boolean).join(", ");
      if (meta) { add(item, "span", " (" + meta + ")"); }
      if (ev.url) { add(item, "div", ev.url, "url"); }
      if (ev.quote) { add(item, "blockquote", ev.quote); }
    });
  }

  // A gap in full: its text, and the review finding it echoes with the finding's source.
  function showGap(gap) {
    show(gap.text);
    if (!gap.finding) { return; }
    add(details, "h4", "The review finding it echoes");
    add(details, "blockquote", gap.finding);
    if (gap.source || gap.url) {
      var line = add(details, "p", "Source: ");
      if (safeUrl(gap.url)) {
        var a = add(line, "a", gap.source || gap.url);
        a.href = gap.url;
        a.rel = "noopener noreferrer";
        add(details, "div", gap.url, "url");
      } else {
        add(line, "span", gap.source);
      }
    }
  }

  // vis animates frame by frame: on a big map each frame is slow, so jump instead.
  var animation = raw.nodes.length <= 500 ? {duration: 300, easingFunction: "easeInOutQuad"}
    : false;

  function applyFilters() {
    if (nodes !== null) {
      var nodeChanges = [];
      nodes.forEach(function (n) {
        var h = hidden[n.pcrKey] === true;
        if ((n.hidden === true) !== h) { nodeChanges.push({id: n.id, hidden: h}); }
      });
      var edgeChanges = [];
      edges.forEach(function (e) {
        var h = hidden[e.pcrKey] === true || hidden[raw.keys[e.from]] === true ||
          hidden[raw.keys[e.to]] === true;
        if ((e.hidden === true) !== h) { edgeChanges.push({id: e.id, hidden: h}); }
      });
      if (nodeChanges.length) { nodes.update(nodeChanges); }
      if (edgeChanges.length) { edges.update(edgeChanges); }
    }
    // The table view follows the same filters.
    Array.prototype.forEach.call(document.querySelectorAll("tr[data-key]"), function (tr) {
      tr.hidden = hidden[tr.getAttribute("data-key")] === true;
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), function (box) {
    box.addEventListener("change", function () {
      hidden[box.getAttribute("data-filter")] = !box.checked;
      applyFilters();
    });
  });

  function toDetail(ids) {
    if (view === "detail" && scope === ids) { return; }
    view = "detail";
    LABEL_FONT = raw.options.nodes.font.size;
    scope = ids;
    build();
    // Labels are drawn at the first view's size (one pass over the nodes, not two).
    fontShown = LABEL_FONT;
    network.setOptions({nodes: {font: {size: LABEL_FONT}}});
    network.setData({nodes: nodes, edges: edges});
    overview(true);
    var back = document.getElementById("pcr-back");
    if (back) { back.hidden = !groups; }
  }
  function toGroups() {
    if (!groups || view === "groups") { return; }
    view = "groups";
    scope = null;
    LABEL_FONT = groups.font;
    network.setData({nodes: groupNodes, edges: groupEdges});
    overview();
    document.getElementById("pcr-back").hidden = true;
  }
  // One group's providers (and the links among them). The click is answered at once
  // (the group selected, the status line saying what comes); the providers are drawn in
  // the next task, so the page never stalls on a click.
  function openGroup(key, groupId, then) {
    var ids = {}, count = 0;
    raw.nodes.forEach(function (n) {
      if ((n.pcrGroup || n.pcrKey) === key) { ids[n.id] = true; count++; }
    });
    network.selectNodes([groupId]);
    say("Opening the " + count + " members of " + groupLabel(key) + "…");
    window.pcrOpened = false;
    requestAnimationFrame(function () {
      setTimeout(function () {
        toDetail(ids);
        say("Showing the " + count + " members of " + groupLabel(key) +
          ". “Show every provider” draws them all; “Back” returns to the summary.");
        if (then) { then(); }
        window.pcrOpenedAt = performance.now();
        window.pcrOpened = true;
      }, 0);
    });
  }
  function groupLabel(key) {
    if (!groups) { return key; }
    var g = groups.nodes.filter(function (n) { return n.pcrKey === key; })[0];
    return g ? g.pcrName : key;
  }
  var back = document.getElementById("pcr-back");
  if (back) { back.addEventListener("click", function () { toGroups(); say(""); show(""); }); }
  var all = document.getElementById("pcr-all");
  if (all) {
    all.addEventListener("click", function () {
      toDetail(null);
      say("Showing every provider.");
    });
  }

  function visible(id) {
    var n = nodes === null ? null : nodes.get(id);
    return n !== null && n.hidden !== true;
  }
  function focusNodes(ids) {
    var out = ids.some(function (id) { return scope !== null && scope[id] !== true; });
    if (ids.length && (view !== "detail" || out)) { toDetail(null); }
    ids = ids.filter(visible);
    if (!ids.length) { network.unselectAll(); return 0; }
    network.selectNodes(ids);
    if (ids.length === 1) {
      network.focus(ids[0], {scale: Math.max(network.getScale(), 1.1 * firstScale),
        animation: animation});
      show(nodes.get(ids[0]).title);
    } else {
      network.fit({nodes: ids, maxZoomLevel: 1.4, animation: animation});
    }
    return ids.length;
  }
  window.pcrFocus = focusNodes;

  var list = document.getElementById("pcr-names");
  var byName = {};
  raw.nodes.forEach(function (n) {
    var key = n.pcrName.toLowerCase();
    if (!(key in byName) || n.pcrName < nodeName(byName[key])) { byName[key] = n.id; }
  });
  function nodeName(id) { return raw.names[id]; }
  // The suggestions list is filled when first needed: thousands of options slow the start.
  function suggest() {
    if (list.firstChild) { return; }
    Object.keys(byName).map(function (k) { return raw.names[byName[k]]; }).sort()
      .forEach(function (name) {
        var option = document.createElement("option");
        option.value = name;
        list.appendChild(option);
      });
  }
  document.getElementById("pcr-q").addEventListener("focus", suggest);
  function search(text) {
    var q = text.trim().toLowerCase();
    if (!q) { return; }
    var shown = function (id) { return hidden[raw.keys[id]] !== true; };
    var found = byName[q];
    if (found === undefined || !shown(found)) {
      found = undefined;
      var all = raw.nodes.filter(function (n) { return shown(n.id); });
      var starts = all.filter(function (n) { return n.pcrName.toLowerCase().indexOf(q) === 0; });
      var within = all.filter(function (n) { return n.pcrName.toLowerCase().indexOf(q) >= 0; });
      var hit = starts[0] || within[0];
      if (hit) { found = hit.id; }
    }
    if (found === undefined) { say("No shown provider or forum matches."); return; }
    focusNodes([found]);
    say("Showing: " + nodes.get(found).pcrName);
  }
  document.getElementById("pcr-search").addEventListener("submit", function (event) {
    event.preventDefault();
    search(document.getElementById("pcr-q").value);
  });
  // Picking a suggestion from the list is an "input" event with no typing behind it.
  document.getElementById("pcr-q").addEventListener("input", function (event) {
    if (!event.inputType || event.inputType === "insertReplacementText") {
      search(event.target.value);
    }
  });

  // A gap about whole Primary Care Networks selects their nodes on the summary view (not
  // the practices inside them).
  function selectNetworks(gap) {
    var ids = (gap.groups || []).map(function (g) { return "group:" + g; })
      .filter(function (id) { return groupNodes !== null && groupNodes.get(id) !== null; });
    if (!ids.length) { return 0; }
    toGroups();
    network.setSelection({nodes: ids, edges: []}, {highlightEdges: false});
    network.fit({nodes: ids, maxZoomLevel: 1.4, animation: false});
    return ids.length;
  }
  // On a summary view of Primary Care Networks, a gap about practices of one group opens
  // that group (a PCN, or the sector of practices in none) and selects them there.
  function openNamed(ids) {
    if (!networks || !ids.length) { return 0; }
    if (view !== "groups") {  // detail: go through the summary unless they are shown
      var inScope = ids.every(function (id) { return scope !== null && scope[id] === true; });
      if (scope === null || inScope) { return 0; }
      toGroups();
    }
    var key = raw.groupOf[ids[0]];
    var same = ids.every(function (id) { return raw.groupOf[id] === key; });
    if (!same || key === undefined || groupNodes.get("group:" + key) === null) { return 0; }
    openGroup(key, "group:" + key, function () { focusNodes(ids); });
    return ids.length;
  }
  // A gap selects what it names: providers or forums, links, the sectors of a pathway.
  function selectGap(gap) {
    var whole = selectNetworks(gap);
    if (whole) { return whole; }
    var ids = gap.nodes.slice();
    var edgeIds = [];
    if (gap.links && gap.links.length) {
      raw.edges.forEach(function (e) {
        if (e.pcrLink && gap.links.indexOf(e.pcrLink) >= 0) {
          edgeIds.push(e.id);
          if (ids.indexOf(e.from) < 0) { ids.push(e.from); }
          if (ids.indexOf(e.to) < 0) { ids.push(e.to); }
        }
      });
    }
    var keys = (gap.sectors || []).map(function (s) { return "sector:" + s; });
    if (!ids.length && keys.length && view === "groups") {
      var groupIds = groups.nodes.filter(function (n) { return keys.indexOf(n.pcrKey) >= 0; })
        .map(function (n) { return n.id; });
      var between = groups.edges.filter(function (e) {
        return groupIds.indexOf(e.from) >= 0 && groupIds.indexOf(e.to) >= 0;
      }).map(function (e) { return e.id; });
      if (groupIds.length) {
        network.setSelection({nodes: groupIds, edges: between}, {highlightEdges: false});
        network.fit({nodes: groupIds, maxZoomLevel: 1.4, animation: false});
        return groupIds.length;
      }
    }
    if (!ids.length && keys.length) {
      raw.nodes.forEach(function (n) { if (keys.indexOf(n.pcrKey) >= 0) { ids.push(n.id); } });
    }
    if (!ids.length) { network.unselectAll(); return 0; }
    if (!edgeIds.length) {
      var opened = openNamed(ids);
      if (opened) { return opened; }
    }
    var shown = focusNodes(ids);
    if (shown && edgeIds.length) {
      network.setSelection({nodes: ids.filter(visible), edges: edgeIds.filter(function (id) {
        var e = edges.get(id);
        return e !== null && e.hidden !== true;
      })}, {highlightEdges: false});
    }
    return shown;
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.gap"), function (button) {
    button.addEventListener("click", function () {
      var gap = raw.gaps[Number(button.getAttribute("data-gap"))];
      var shown = selectGap(gap);
      if (gap.links && gap.links.length === 1 && raw.links && raw.links[gap.links[0]]) {
        showLink(gap.links[0]);
      } else if (shown !== 1 || !gap.nodes.length || (gap.groups && gap.groups.length)) {
        showGap(gap);
      }
      var named = gap.nodes.length || (gap.links && gap.links.length);
      var sectors = gap.sectors && gap.sectors.length;
      var present = sectors && raw.nodes.some(function (n) {
        return gap.sectors.indexOf(String(n.pcrKey).replace(/^sector:/, "")) >= 0;
      });
      say(shown ? "" : named || present ? "What it names is hidden by a filter." :
        sectors ? "No provider of the sector it names is in this area." :
        "This gap concerns the whole area.");
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("button[data-node]"), function (b) {
    b.addEventListener("click", function () { focusNodes([b.getAttribute("data-node")]); });
  });

  // The table view, built the first time it is opened.
  var table = document.getElementById("pcr-table");
  var nodeRows = document.getElementById("pcr-node-rows");
  function cell(tr, text, css) { return add(tr, "td", text, css); }
  function fillTables() {
    if (!nodeRows || nodeRows.firstChild) { return; }
    var linkRows = document.getElementById("pcr-link-rows");
    var degree = {};
    Object.keys(raw.links || {}).forEach(function (iri) {
      var seen = {};
      raw.edges.forEach(function (e) {
        if (e.pcrLink === iri) { seen[e.from] = true; seen[e.to] = true; }
      });
      Object.keys(seen).forEach(function (id) { degree[id] = (degree[id] || 0) + 1; });
    });
    raw.nodes.slice().sort(function (a, b) {
      return a.pcrName.toLowerCase() < b.pcrName.toLowerCase() ? -1 : 1;
    }).forEach(function (n) {
      var tr = add(nodeRows, "tr");
      tr.setAttribute("data-key", n.pcrKey);
      tr.hidden = hidden[n.pcrKey] === true;
      var b = add(cell(tr), "button", n.pcrName, "row");
      b.type = "button";
      b.addEventListener("click", function () { focusNodes([n.id]); });
      cell(tr, (n.pcrSector || "") +
        (n.pcrGroupNote ? " · Primary Care Network: " + n.pcrGroupNote : ""));
      cell(tr, String(degree[n.id] || 0), "n");
      cell(tr, n.pcrGap ? "yes" : "");
    });
    var firstEdge = {};
    raw.edges.forEach(function (e) {
      if (e.pcrLink && !(e.pcrLink in firstEdge)) { firstEdge[e.pcrLink] = e; }
    });
    Object.keys(raw.links || {}).sort(function (a, b) {
      var x = raw.links[a].id || a, y = raw.links[b].id || b;
      return x < y ? -1 : x > y ? 1 : 0;
    }).forEach(function (iri) {
      var info = raw.links[iri];
      var tr = add(linkRows, "tr");
      var key = firstEdge[iri] ? firstEdge[iri].pcrKey : "";
      tr.setAttribute("data-key", key);
      tr.hidden = hidden[key] === true;
      var b = add(cell(tr), "button", info.id || "link", "link");
      b.type = "button";
      b.addEventListener("click", function () {
        selectGap({nodes: [], links: [iri]});
        showLink(iri);
      });
      cell(tr, info.type);
      cell(tr, info.between);
      cell(tr, info.period);
      cell(tr, String(info.evidence.length), "n");
    });
  }
  if (table) {
    table.addEventListener("toggle", function () { if (table.open) { fillTables(); } });
    if (table.open) { fillTables(); }
  }
  window.pcrTables = fillTables;

  network.on("click", function (params) {
    if (view === "groups") {
      if (params.nodes.length) {
        openGroup(groupNodes.get(params.nodes[0]).pcrKey, params.nodes[0]);
      }
      else if (params.edges.length) { show(groupEdges.get(params.edges[0]).title); }
      else { show(""); }
      return;
    }
    if (params.nodes.length) { show(nodes.get(params.nodes[0]).title); }
    else if (params.edges.length) {
      var edge = edges.get(params.edges[0]);
      if (edge.pcrLink) { showLink(edge.pcrLink, edge.title); } else { show(edge.title); }
    }
    else { show(""); }
  });
  document.getElementById("pcr-reset").addEventListener("click", function () {
    network.unselectAll();
    if (groups) { toGroups(); } else { overview(); }
    show("");
    say("");
  });

  // Take-away pictures of the current view, made in the page (nothing is uploaded).
  function save(name, href) {
    var a = document.createElement("a");
    a.href = href;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
  }
  var stem = (document.title || "map").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")
    .toLowerCase() || "map";
  function savePng() {
    var source = network.canvas.frame.canvas;
    var copy = document.createElement("canvas");
    copy.width = source.width;
    copy.height = source.height;
    var ctx = copy.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, copy.width, copy.height);
    ctx.drawImage(source, 0, 0);
    save(stem + ".png", copy.toDataURL("image/png"));
  }
  var SVG = "http://www.w3.org/2000/svg";
  function svgOf() {
    var canvas = network.canvas.frame.canvas;
    var w = canvas.clientWidth, h = canvas.clientHeight;
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("xmlns", SVG);
    svg.setAttribute("width", w);
    svg.setAttribute("height", h);
    svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    var title = document.createElementNS(SVG, "title");
    title.textContent = document.title;
    svg.appendChild(title);
    var back = document.createElementNS(SVG, "rect");
    back.setAttribute("width", w);
    back.setAttribute("height", h);
    back.setAttribute("fill", "#ffffff");
    svg.appendChild(back);
    var body = network.body, scale = network.getScale();
    function el(tag, attrs) {
      var e = document.createElementNS(SVG, tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      svg.appendChild(e);
      return e;
    }
    body.edgeIndices.forEach(function (id) {
      var edge = body.edges[id];
      if (!edge.options.hidden && edge.connected && edge.from && edge.to) {
        var a = network.canvasToDOM({x: edge.from.x, y: edge.from.y});
        var b = network.canvasToDOM({x: edge.to.x, y: edge.to.y});
        var colour = edge.options.color.color || "#666666";
        var attrs = {x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1),
          y2: b.y.toFixed(1), stroke: colour,
          "stroke-width": Math.max(0.5, edge.options.width * scale).toFixed(2)};
        if (edge.options.dashes) { attrs["stroke-dasharray"] = "6 4"; }
        el("line", attrs);
      }
    });
    body.nodeIndices.forEach(function (id) {
      var node = body.nodes[id];
      if (node.options.hidden) { return; }
      var p = network.canvasToDOM({x: node.x, y: node.y});
      var colour = node.options.color || {};
      el("circle", {cx: p.x.toFixed(1), cy: p.y.toFixed(1),
        r: Math.max(1, node.options.size * scale).toFixed(1),
        fill: colour.background || "#888888", stroke: colour.border || "#2B2B2B",
        "stroke-width": Math.max(0.5, node.options.borderWidth * scale).toFixed(2)});
      if (node.options.label) {
        var size = node.labelModule.elementOptions.font.size * scale;
        var top = network.canvasToDOM({x: node.x, y: node.labelModule.size.top});
        node.options.label.split("\n").forEach(function (line, k) {
          var t = el("text", {x: p.x.toFixed(1), y: (top.y + size * (k + 0.85)).toFixed(1),
            "font-size": size.toFixed(1), "text-anchor": "middle",
            "font-family": "system-ui, sans-serif", fill: "#1B1B1B",
            stroke: "#FFFFFF", "stroke-width": (size / 4).toFixed(1), "paint-order": "stroke"});
          t.textContent = line;
        });
      }
    });
    return new XMLSerializer().serializeToString(svg);
  }
  window.pcrSvg = svgOf;
  function saveSvg() {
    save(stem + ".svg", "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgOf()));
  }
  var png = document.getElementById("pcr-png");
  if (png) { png.addEventListener("click", savePng); }
  var svgButton = document.getElementById("pcr-svg");
  if (svgButton) { svgButton.addEventListener("click", saveSvg); }
})();
