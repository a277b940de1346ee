(function () {
  "use strict";
  var raw = JSON.parse(document.getElementById("pcr-data").textContent);
  var nodes = new vis.DataSet(raw.nodes);
  var edges = new vis.DataSet(raw.edges);
  var network = new vis.Network(document.getElementById("pcr-map"),
    {nodes: nodes, edges: edges}, raw.options);
  window.pcrNetwork = network;
  window.pcrData = {nodes: nodes, edges: edges};
  window.pcrReady = false;
  network.once("afterDrawing", function () {
    window.pcrReadyMs = performance.now();
    window.pcrReady = true;
  });
  function overview() {
    network.fit({animation: false});
    // fit() frames the nodes, not their labels: leave a margin for the outer labels.
    network.moveTo({scale: network.getScale() * 0.9, animation: false});
  }
  overview();

  var details = document.getElementById("pcr-details");
  var statusLine = document.getElementById("pcr-status");
  function show(text) { details.textContent = text; details.hidden = !text; }
  function say(text) { statusLine.textContent = text; }

  // vis animates frame by frame: on a big map each frame is slow, so jump instead.
  var animation = raw.nodes.length <= 500 ? {duration: 300, easingFunction: "easeInOutQuad"}
    : false;

  var hidden = {};
  function applyFilters() {
    var off = {};
    var nodeChanges = [];
    raw.nodes.forEach(function (n) {
      var h = hidden[n.pcrKey] === true;
      if (h) { off[n.id] = true; }
      if ((nodes.get(n.id).hidden === true) !== h) { nodeChanges.push({id: n.id, hidden: h}); }
    });
    var edgeChanges = [];
    raw.edges.forEach(function (e) {
      var h = hidden[e.pcrKey] === true || off[e.from] === true || off[e.to] === true;
      if ((edges.get(e.id).hidden === true) !== h) { edgeChanges.push({id: e.id, hidden: h}); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), function (box) {
    box.addEventListener("change", function () {
      hidden[box.getAttribute("data-filter")] = !box.checked;
      applyFilters();
    });
  });

  function visible(id) { var n = nodes.get(id); return n !== null && n.hidden !== true; }
  function focusNodes(ids) {
    ids = ids.filter(visible);
    if (!ids.length) { network.unselectAll(); return 0; }
    network.selectNodes(ids);
    if (ids.length === 1) {
      network.focus(ids[0], {scale: Math.max(network.getScale(), 1.1), animation: animation});
      show(nodes.get(ids[0]).title);
    } else {
      network.fit({nodes: ids, maxZoomLevel: 1.4, animation: animation});
    }
    return ids.length;
  }
  window.pcrFocus = focusNodes;

  var list = document.getElementById("pcr-names");
  var byName = {};
  raw.nodes.slice().sort(function (a, b) {
    return a.pcrName < b.pcrName ? -1 : a.pcrName > b.pcrName ? 1 : 0;
  }).forEach(function (n) {
    var key = n.pcrName.toLowerCase();
    if (!(key in byName)) {
      byName[key] = n.id;
      var option = document.createElement("option");
      option.value = n.pcrName;
      list.appendChild(option);
    }
  });
  function search(text) {
    var q = text.trim().toLowerCase();
    if (!q) { return; }
    var found = byName[q];
    if (found === undefined || !visible(found)) {
      found = undefined;
      var all = raw.nodes.filter(function (n) { return visible(n.id); });
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

  Array.prototype.forEach.call(document.querySelectorAll("button.gap"), function (button) {
    button.addEventListener("click", function () {
      var gap = raw.gaps[Number(button.getAttribute("data-gap"))];
      var shown = focusNodes(gap.nodes);
      // One node: the details box shows that node, gap texts included.
      if (shown !== 1) { show(gap.text); }
      say(shown ? "" : gap.nodes.length ? "Its providers are hidden by a filter." :
        "This gap concerns the whole area.");
    });
  });

  network.on("click", function (params) {
    if (params.nodes.length) { show(nodes.get(params.nodes[0]).title); }
    else if (params.edges.length) { show(edges.get(params.edges[0]).title); }
    else { show(""); }
  });
  document.getElementById("pcr-reset").addEventListener("click", function () {
    network.unselectAll();
    overview();
    show("");
    say("");
  });
})();

