/* The gkmlpt 政府信息公开目录 single-page app: everything is built from window._CONFIG and the
   JSON API. Hash routes: #{catId} or #{catId}/{page}. The UI shows 20 rows a page while the API
   returns 100, so UI page e reads API page ceil(e/5). */
(function () {
  var C = window._CONFIG, PER = 20, API_PER = 100;
  var base = location.pathname.replace(/gkmlpt\/.*$/, "gkmlpt/");
  var app = document.getElementById("app");
  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; }); }
  function route() {
    var h = location.hash.replace(/^#/, "").split("/");
    return { cat: parseInt(h[0], 10) || C.DEFAULT_CAT, page: parseInt(h[1], 10) || 1 };
  }
  function tree(nodes) {
    var h = ["<ul>"];
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      h.push('<li><a href="#' + n.id + '">' + esc(n.name) + "</a>" + (n.children && n.children.length ? tree(n.children) : "") + "</li>");
    }
    h.push("</ul>");
    return h.join("");
  }
  function fmt(ts) {
    var d = new Date(ts * 1000), p = function (x) { return (x < 10 ? "0" : "") + x; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
  }
  function render() {
    var r = route(), apiPage = Math.ceil(r.page / (API_PER / PER));
    var x = new XMLHttpRequest();
    x.open("GET", base + "api/all/" + r.cat + "?page=" + apiPage + "&sid=" + C.SID, true);
    x.onload = function () {
      var data = JSON.parse(x.responseText), rows = data.articles || [];
      var from = (r.page - 1) * PER - (apiPage - 1) * API_PER;
      rows = rows.slice(from, from + PER);
      var pages = Math.max(1, Math.ceil(data.total / PER));
      var h = ['<div class="tree">' + tree(C.TREE) + "</div>", '<div class="content">',
               '<h3 class="classify-name">' + esc(data.classify ? data.classify.name : "") + "</h3>",
               '<ul class="gkmlpt-list">'];
      for (var i = 0; i < rows.length; i++) {
        h.push('<li><a href="' + esc(rows[i].url) + '" target="_blank" title="' + esc(rows[i].title) + '">' +
               esc(rows[i].title) + '</a><span class="date">' + fmt(rows[i].create_time) + "</span></li>");
      }
      h.push('</ul><div class="pagination"><span>共' + data.total + "条</span>");
      for (var p = 1; p <= pages; p++) {
        h.push(p === r.page ? '<span class="current">' + p + "</span>" : '<a href="#' + r.cat + "/" + p + '">' + p + "</a>");
      }
      h.push("</div></div>");
      app.innerHTML = h.join("");
      app.setAttribute("data-loaded", r.cat + "/" + r.page);
    };
    x.send();
  }
  window.addEventListener("hashchange", render);
  render();
})();
