/* Minimal stand-in for Hanweb's jQuery jpage plug-in: renders the inline <datastore> group,
   draws a pager, and fetches later groups with the same POST to dataproxy.jsp as the real one. */
(function () {
  function records(xml) {
    var out = [], re = /<record><!\[CDATA\[([\s\S]*?)\]\]><\/record>/g, m;
    while ((m = re.exec(xml))) { out.push(m[1]); }
    return out;
  }
  function encode(p) {
    var parts = [];
    for (var k in p) { parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(p[k])); }
    return parts.join("&");
  }
  function Unit(el) { this.el = el; }
  Unit.prototype.children = function () {
    var s = this.el.getElementsByTagName("script")[0];
    return { html: function () { return s ? s.text : ""; } };
  };
  Unit.prototype.jpage = function (o) {
    var el = this.el, group = o.perPage * o.groupSize, cache = {};
    var pages = Math.max(1, Math.ceil(o.totalRecord / o.perPage));
    cache[0] = records(o.dataStore || "");
    var list = document.createElement("ul"), bar = document.createElement("div");
    list.className = "jpage-list"; bar.className = "default_pgContainer";
    el.appendChild(list); el.appendChild(bar);
    function show(page) {
      var g = Math.floor((page - 1) / o.groupSize);
      if (!cache[g]) {
        var x = new XMLHttpRequest(), start = g * group + 1;
        x.open("POST", o.proxyUrl + "?startrecord=" + start + "&endrecord=" + (start + group - 1) +
               "&perpage=" + o.perPage, true);
        x.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
        x.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        x.onload = function () { cache[g] = records(x.responseText); show(page); };
        x.send(encode(o.ajaxParam));
        return;
      }
      var from = (page - 1 - g * o.groupSize) * o.perPage;
      list.innerHTML = cache[g].slice(from, from + o.perPage).join("");
      var h = ["<span>共" + o.totalRecord + "条 " + page + "/" + pages + "页</span>"];
      for (var p = 1; p <= pages; p++) {
        h.push(p === page ? "<span class='current'>" + p + "</span>" : "<a href='javascript:;' data-p='" + p + "'>" + p + "</a>");
      }
      bar.innerHTML = h.join(" ");
      var links = bar.getElementsByTagName("a");
      for (var i = 0; i < links.length; i++) {
        links[i].onclick = function () { show(parseInt(this.getAttribute("data-p"), 10)); };
      }
    }
    show(1);
    return this;
  };
  window.$ = window.jQuery = function (sel) { return new Unit(document.getElementById(sel.replace(/^#/, ""))); };
})();
