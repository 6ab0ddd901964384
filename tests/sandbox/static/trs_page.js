/* TRS WCM pager. The list is static HTML; this only writes the page links.
   Classic dialect (0-based): createPageHTML(countPage, currentPage, "index", "html")
     -> index.html, index_1.html, ..., index_{countPage-1}.html
   Div-id dialect (1-based):  createPageHTML("page_div", countPage, currentPage, "index", "shtml", records)
     -> index.shtml, index_2.shtml, ..., index_{countPage}.shtml */
function createPageHTML() {
  var a = arguments, div = null, count, cur, name, ext, first, last, url;
  if (typeof a[0] === "string" && isNaN(parseInt(a[0], 10))) {
    div = a[0]; count = a[1]; cur = a[2]; name = a[3]; ext = a[4];
    first = 1; last = count;
    url = function (p) { return p <= 1 ? name + "." + ext : name + "_" + p + "." + ext; };
  } else {
    count = a[0]; cur = a[1]; name = a[2]; ext = a[3];
    first = 0; last = count - 1;
    url = function (p) { return p <= 0 ? name + "." + ext : name + "_" + p + "." + ext; };
  }
  var h = ["<span>共" + count + "页</span>"];
  if (cur > first) {
    h.push('<a href="' + url(first) + '">首页</a>', '<a href="' + url(cur - 1) + '">上一页</a>');
  }
  for (var p = first; p <= last; p++) {
    h.push(p === cur ? '<span class="current">' + (p - first + 1) + "</span>"
                     : '<a href="' + url(p) + '">' + (p - first + 1) + "</a>");
  }
  if (cur < last) {
    h.push('<a href="' + url(cur + 1) + '">下一页</a>', '<a href="' + url(last) + '">尾页</a>');
  }
  if (div) { document.getElementById(div).innerHTML = h.join(" "); } else { document.write(h.join(" ")); }
}
