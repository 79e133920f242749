// The search page at `/`: one self-contained HTML document (no CDN, no build step), embedded in the
// executable as a string. It lists the indexes, picks a random query of the index's dataset (or takes
// a pasted vector, or a word for GloVe), searches, and shows the answers with latency, reads, hops and
// I/O occupancy; Fashion-MNIST rows are drawn as 28×28 images on canvases. The script avoids template
// literals and backslashes so it can live inside this TypeScript template string unchanged.
export const SEARCH_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ringann search</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2430; background: #f6f7f9; }
  body { margin: 0 auto; max-width: 1060px; padding: 18px 22px; }
  h1 { font-size: 20px; margin: 0 0 4px; } h1 small { font-weight: normal; color: #667; font-size: 13px; }
  .bar { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 12px 0; }
  .panel { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 12px 14px; margin: 12px 0; }
  label { font-size: 13px; color: #445; } input, select, textarea, button { font: inherit; font-size: 14px; }
  input[type=number] { width: 64px; } textarea { width: 100%; height: 54px; font-family: monospace; font-size: 12px; }
  button { background: #2457c5; color: #fff; border: 0; border-radius: 6px; padding: 6px 12px; cursor: pointer; }
  button.ghost { background: #e8ecf3; color: #1d2430; }
  .stats { display: flex; gap: 18px; flex-wrap: wrap; font-size: 14px; } .stats b { font-size: 18px; display: block; }
  .grid { display: flex; flex-wrap: wrap; gap: 10px; }
  .cell { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 6px; text-align: center; font-size: 12px; width: 92px; }
  .cell canvas { width: 84px; height: 84px; image-rendering: pixelated; display: block; margin: 0 auto 4px; background: #000; }
  .word { font-size: 15px; font-weight: 600; margin: 4px 0; word-break: break-all; }
  .query { border-color: #2457c5; box-shadow: 0 0 0 2px #2457c533; }
  .err { color: #b3261e; font-family: monospace; white-space: pre-wrap; }
  .muted { color: #778; font-size: 12px; }
</style>
</head>
<body>
<h1>ringann <small>disk-resident vector search over io_uring</small></h1>
<div class="bar">
  <label>index <select id="index"></select></label>
  <label>k <input id="k" type="number" min="1" value="10"></label>
  <label>L <input id="L" type="number" min="1" value="50"></label>
  <label>width <input id="width" type="number" min="1" value="4"></label>
  <label>mode <select id="mode"><option>pipe</option><option>beam</option></select></label>
  <label>token <input id="token" type="password" placeholder="(if the server wants one)" size="14"></label>
</div>
<div class="panel" id="ask">
  <div class="bar">
    <button id="random">Random query</button>
    <span id="wordbox" hidden><label>word <input id="word" list="words" placeholder="type a word" size="18"></label>
      <datalist id="words"></datalist> <button id="wordgo">Nearest words</button></span>
    <span class="muted" id="about"></span>
  </div>
  <textarea id="vector" placeholder="…or paste a vector: comma- or space-separated numbers"></textarea>
  <div class="bar"><button class="ghost" id="pasted">Search the pasted vector</button></div>
</div>
<div class="panel" id="out" hidden>
  <div class="stats" id="stats"></div>
  <h3 id="qtitle" style="font-size:14px;margin:14px 0 6px">query</h3>
  <div class="grid" id="querycell"></div>
  <h3 style="font-size:14px;margin:14px 0 6px">nearest neighbours</h3>
  <div class="grid" id="results"></div>
</div>
<div class="err" id="error"></div>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var indexes = [];
  var tokenKey = "ringann-token";
  $("token").value = localStorage.getItem(tokenKey) || "";
  $("token").addEventListener("change", function () { localStorage.setItem(tokenKey, $("token").value); load(); });

  function headers(json) {
    var h = {};
    if (json) h["Content-Type"] = "application/json";
    var t = $("token").value;
    if (t) h["Authorization"] = "Bearer " + t;
    return h;
  }
  function api(path, body) {
    var init = body === undefined ? { headers: headers(false) } : { method: "POST", headers: headers(true), body: JSON.stringify(body) };
    return fetch(path, init).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) { var e = j.error || {}; throw new Error(r.status + " " + e.code + " at " + e.path + ": " + e.message); }
        return j;
      });
    });
  }
  function current() { return indexes[$("index").selectedIndex]; }
  function showError(e) { $("error").textContent = e ? String(e.message || e) : ""; }

  function drawImage(canvas, v) {
    canvas.width = 28; canvas.height = 28;
    var ctx = canvas.getContext("2d"), img = ctx.createImageData(28, 28);
    for (var i = 0; i < 784; i++) { var g = v[i]; img.data[4 * i] = g; img.data[4 * i + 1] = g; img.data[4 * i + 2] = g; img.data[4 * i + 3] = 255; }
    ctx.putImageData(img, 0, 0);
  }
  function cell(kind, vector, word, lines, isQuery) {
    var d = document.createElement("div");
    d.className = "cell" + (isQuery ? " query" : "");
    if (kind === "image28" && vector) { var c = document.createElement("canvas"); drawImage(c, vector); d.appendChild(c); }
    if (word) { var w = document.createElement("div"); w.className = "word"; w.textContent = word; d.appendChild(w); }
    for (var i = 0; i < lines.length; i++) { var s = document.createElement("div"); s.textContent = lines[i]; d.appendChild(s); }
    return d;
  }

  function load() {
    showError(null);
    api("/v1/indexes").then(function (j) {
      indexes = j.indexes;
      var sel = $("index"); sel.innerHTML = "";
      indexes.forEach(function (ix) { var o = document.createElement("option"); o.textContent = ix.name; sel.appendChild(o); });
      configure();
    }).catch(showError);
  }
  function configure() {
    var ix = current(); if (!ix) return;
    $("k").value = ix.defaults.k; $("L").value = ix.defaults.L; $("width").value = ix.defaults.width; $("mode").value = ix.defaults.mode;
    var ds = ix.dataset;
    $("about").textContent = ix.npts.toLocaleString() + " x " + ix.dim + " " + ix.type + ", " + ix.metric +
      (ds ? " | dataset " + ds.name + " (" + ds.queries.toLocaleString() + " queries)" : " | no dataset: paste a vector");
    $("random").disabled = !ds;
    $("wordbox").hidden = !(ds && ds.kind === "words");
  }
  $("index").addEventListener("change", configure);

  function search(vector, label) {
    var ix = current(); var ds = ix.dataset; showError(null);
    var include = [];
    if (ds && ds.kind === "image28") include.push("vectors");
    if (ds && ds.kind === "words") include.push("words");
    var body = { vector: vector, k: +$("k").value, L: +$("L").value, width: +$("width").value, mode: $("mode").value };
    if (include.length) body.include = include;
    var t0 = performance.now();
    return api("/v1/indexes/" + encodeURIComponent(ix.name) + "/search", body).then(function (j) {
      var rtt = performance.now() - t0, r = j.results[0], s = r.stats;
      $("out").hidden = false;
      var st = $("stats"); st.innerHTML = "";
      [["latency", (s.latency_us / 1000).toFixed(2) + " ms"], ["round trip", rtt.toFixed(1) + " ms"], ["reads", s.reads],
       ["hops", s.hops], ["I/O occupancy", (100 * s.io_occupancy).toFixed(0) + "%"], ["queued", (s.queued_us / 1000).toFixed(2) + " ms"],
       ["dim check", j.dim + "-d ok"]].forEach(function (p) {
        var d = document.createElement("div"); var b = document.createElement("b"); b.textContent = p[1];
        d.appendChild(b); d.appendChild(document.createTextNode(p[0])); st.appendChild(d);
      });
      $("qtitle").textContent = "query " + label;
      var qc = $("querycell"); qc.innerHTML = "";
      qc.appendChild(cell(ds ? ds.kind : "vectors", vector, label.indexOf("word ") === 0 ? label.slice(5) : null, [label], true));
      var res = $("results"); res.innerHTML = "";
      for (var i = 0; i < r.ids.length; i++) {
        var d = cell(ds ? ds.kind : "vectors", r.vectors ? r.vectors[i] : null, r.words ? r.words[i] : null,
          ["#" + (i + 1) + "  id " + r.ids[i], "d " + r.distances[i].toPrecision(4)], false);
        d.setAttribute("data-testid", "neighbour");
        res.appendChild(d);
      }
    }).catch(showError);
  }

  $("random").addEventListener("click", function () {
    var ix = current();
    api("/v1/indexes/" + encodeURIComponent(ix.name) + "/queries/random").then(function (q) {
      return search(q.vector, q.word ? "word " + q.word : "row " + q.id);
    }).catch(showError);
  });
  $("pasted").addEventListener("click", function () {
    var parts = $("vector").value.split(/[^-+0-9.eE]+/).filter(function (s) { return s !== ""; });
    search(parts.map(Number), "pasted");
  });
  function byWord() {
    var ix = current(), w = $("word").value.trim().toLowerCase(); if (!w) return;
    api("/v1/indexes/" + encodeURIComponent(ix.name) + "/words/" + encodeURIComponent(w)).then(function (q) {
      return search(q.vector, "word " + q.word);
    }).catch(showError);
  }
  $("wordgo").addEventListener("click", byWord);
  $("word").addEventListener("keydown", function (e) { if (e.key === "Enter") byWord(); });
  $("word").addEventListener("input", function () {
    var ix = current(), p = $("word").value.trim().toLowerCase(); if (p.length < 2) return;
    api("/v1/indexes/" + encodeURIComponent(ix.name) + "/words?prefix=" + encodeURIComponent(p)).then(function (j) {
      var dl = $("words"); dl.innerHTML = "";
      j.words.forEach(function (w) { var o = document.createElement("option"); o.value = w; dl.appendChild(o); });
    }).catch(function () {});
  });
  load();
})();
</script>
</body>
</html>
`;
