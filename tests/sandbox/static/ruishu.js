/* Ruishu-like challenge: reads the seed cookie and the page's meta, computes the answer
   cookie (bound to this browser's User-Agent) and reloads. */
(function () {
  var ts = window.$_ts || {}, meta = document.getElementById(ts.mid);
  function fnv(s, rounds) {
    var h = 0x811c9dc5 >>> 0;
    for (var r = 0; r < rounds; r++) {
      for (var i = 0; i < s.length; i++) { h ^= (s.charCodeAt(i) + r) & 0xffff; h = Math.imul(h, 16777619) >>> 0; }
    }
    return ("0000000" + h.toString(16)).slice(-8);
  }
  var m = document.cookie.match(new RegExp("(?:^|; )" + ts.cn + "S=([^;]*)"));
  if (!m || !meta) { return; }
  var seed = m[1], salt = meta.getAttribute("content");
  var answer = fnv(seed + "|" + salt + "|" + navigator.userAgent, ts.nsd) + fnv(salt + seed, 7);
  document.cookie = ts.cn + "T=" + answer + "; path=/";
  location.replace(location.href);
})();
