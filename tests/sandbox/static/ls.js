/* Pager of the county 信息公开 platform: Ls.pagination(selector, go, {currPage, pageCount}).
   Pages are 1-based; go(pageIndex) navigates (the list itself is server-rendered). */
var Ls = {
  pagination: function (sel, go, o) {
    var el = document.querySelector(sel);
    if (!el) { return; }
    var h = ["<span>共" + o.pageCount + "页</span>"];
    for (var p = 1; p <= o.pageCount; p++) {
      h.push(p === o.currPage ? "<span class='current'>" + p + "</span>" : "<a href='javascript:;' data-p='" + p + "'>" + p + "</a>");
    }
    if (o.currPage < o.pageCount) { h.push("<a href='javascript:;' data-p='" + (o.currPage + 1) + "'>下一页</a>"); }
    el.innerHTML = h.join(" ");
    var links = el.getElementsByTagName("a");
    for (var i = 0; i < links.length; i++) {
      links[i].onclick = function () { go(parseInt(this.getAttribute("data-p"), 10)); };
    }
  }
};
