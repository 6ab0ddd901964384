"""JavaScript cookie challenges in front of a site, like the WAFs real portals use (§9.1–9.2).

Both are passable only by running their script (in practice: in a real browser); the cookies
the script sets then work for plain HTTP requests with the same User-Agent until they expire
(``ttl`` seconds), after which the challenge comes back.

- Ruishu-like (瑞数, HTTP 412): the answer page carries ``<meta id=… content=… r="m">``,
  ``$_ts`` data and an external script; a ``<prefix>S`` seed cookie is set; the script
  computes ``<prefix>T`` from the seed, the meta and ``navigator.userAgent`` and reloads.
- Jiasule-like (加速乐, HTTP 521, two rounds): the first answer sets ``__jsluid_s`` and a
  script that writes a first ``__jsl_clearance_s`` and reloads; the second answer is a
  ``go({bts, chars, ct, ha: "sha256", …})`` puzzle: find two characters so that
  sha256(bts[0] + c1 + c2 + bts[1]) == ct, store that as ``__jsl_clearance_s`` and reload.

Challenge bodies depend only on the seed and the site (the determinism test hashes them);
time only enters the cookies.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from importlib import resources

from tests.sandbox.messages import Request, Response

RUISHU_SCRIPT = "/4QbVtADbnLVIc/c.FxJzG50F.js"


def _mac(key: bytes, *parts: str) -> str:
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()


def fnv(text: str, rounds: int) -> str:
    """The hash ``static/ruishu.js`` computes (FNV-1a over UTF-16 code units, with rounds)."""
    h = 0x811C9DC5
    units = text.encode("utf-16-le")
    codes = [units[i] | units[i + 1] << 8 for i in range(0, len(units), 2)]
    for r in range(rounds):
        for c in codes:
            h ^= (c + r) & 0xFFFF
            h = (h * 16777619) & 0xFFFFFFFF
    return f"{h:08x}"


class Ruishu:
    status = 412

    def __init__(self, secret: bytes, host: str, ttl: float) -> None:
        self.key = hashlib.sha256(secret + host.encode()).digest()
        self.ttl = ttl
        digest = _mac(self.key, "names")
        self.cookie = "".join(c for c in digest if c.isalpha())[:6].upper() + digest[6:14]
        self.meta_id = "m" + digest[14:26]
        self.salt = _mac(self.key, "salt")[:32]
        self.rounds = 40 + int(digest[26:28], 16) % 40

    def answer(self, seed: str, user_agent: str) -> str:
        return fnv(f"{seed}|{self.salt}|{user_agent}", self.rounds) + fnv(self.salt + seed, 7)

    def check(self, req: Request, now: float) -> Response | None:
        if req.path == RUISHU_SCRIPT:
            return Response(body=resources.files("tests.sandbox").joinpath("static/ruishu.js").read_bytes(),
                            content_type="application/javascript")
        jar = req.cookies
        seed, answer = jar.get(self.cookie + "S"), jar.get(self.cookie + "T")
        if seed and answer and self._fresh(seed, now) and hmac.compare_digest(
                answer, self.answer(seed, req.headers.get("user-agent", ""))):
            return None
        issued = f"{int(now):x}"
        new_seed = f"{issued}{_mac(self.key, 'seed', issued)[:24]}"
        body = (f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                f'<meta id="{self.meta_id}" content="{self.salt}" r="m"><script type="text/javascript" r="m">'
                f"$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={{}};$_ts.nsd={self.rounds};"
                f'$_ts.cn="{self.cookie}";$_ts.mid="{self.meta_id}";$_ts.cd="{_mac(self.key, "cd")}";</script>'
                f'<script type="text/javascript" charset="utf-8" src="{RUISHU_SCRIPT}" r="m"></script>'
                "</head><body></body></html>")
        return Response(status=412, body=body.encode(), headers=[
            ("Set-Cookie", f"{self.cookie}S={new_seed}; Path=/; expires=Fri, 31 Dec 2100 23:59:59 GMT")])

    def _fresh(self, seed: str, now: float) -> bool:
        issued, mac = seed[:-24], seed[-24:]
        try:
            age = now - int(issued, 16)
        except ValueError:
            return False
        return hmac.compare_digest(mac, _mac(self.key, "seed", issued)[:24]) and 0 <= age < self.ttl


class Jiasule:
    status = 521
    CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

    def __init__(self, secret: bytes, host: str, ttl: float) -> None:
        self.key = hashlib.sha256(secret + b"jsl" + host.encode()).digest()
        self.ttl = ttl
        base = 1_600_000_000 + int(_mac(self.key, "t0")[:6], 16)
        self.first = f"{base}.{int(_mac(self.key, 'ms')[:3], 16) % 1000:03d}|-1|{_mac(self.key, 'first')[:22]}%3D"

    def puzzle(self, jsluid: str, ts: str, user_agent: str) -> tuple[list[str], str, str]:
        mac = _mac(self.key, "puzzle", jsluid, ts, user_agent)
        bts = [f"{ts}|0|{mac[:12]}", f"{mac[12:40]}%3D"]
        pair = self.CHARS[int(mac[40:44], 16) % 52] + self.CHARS[int(mac[44:48], 16) % 52]
        return bts, pair, hashlib.sha256((bts[0] + pair + bts[1]).encode()).hexdigest()

    def check(self, req: Request, now: float) -> Response | None:
        jar, ua = req.cookies, req.headers.get("user-agent", "")
        jsluid, clearance = jar.get("__jsluid_s"), jar.get("__jsl_clearance_s", "")
        if jsluid and clearance and clearance != self.first:
            ts = clearance.split("|", 1)[0]
            bts, pair, _ = self.puzzle(jsluid, ts, ua)
            try:
                fresh = 0 <= now - float(ts) < self.ttl
            except ValueError:
                fresh = False
            if fresh and hmac.compare_digest(clearance, bts[0] + pair + bts[1]):
                return None
        if jsluid and clearance == self.first:
            return self.second(jsluid, now, ua)
        headers = [] if jsluid else [
            ("Set-Cookie", f"__jsluid_s={secrets.token_hex(16)}; max-age=31536000; path=/; HttpOnly")]
        parts = [self.first[i:i + 5] for i in range(0, len(self.first), 5)]
        chunks = "+".join(f"('{p}')" for p in parts)
        body = (f"<script>document.cookie=('_')+('_')+('jsl_clearance_s=')+{chunks}+(';max-age=3600;path=/');"
                "location.href=location.pathname+location.search</script>")
        return Response(status=521, body=body.encode(), content_type="text/html", headers=headers)

    def second(self, jsluid: str, now: float, user_agent: str) -> Response:
        ts = f"{now:.3f}"
        bts, _, ct = self.puzzle(jsluid, ts, user_agent)
        sha = resources.files("tests.sandbox").joinpath("static/sha256.js").read_text()
        go = ('function go(o){var c=o.chars,n=c.length;for(var i=0;i<n;i++){for(var j=0;j<n;j++){'
              'var v=o.bts[0]+c[i]+c[j]+o.bts[1];if(sha256(v)===o.ct){document.cookie=o.tn+"="+v+";max-age="+o.vt+'
              '";path=/";location.href=location.pathname+location.search;return;}}}}')
        arg = (f'{{"bts":["{bts[0]}","{bts[1]}"],"chars":"{self.CHARS}","ct":"{ct}","ha":"sha256",'
               f'"is":true,"tn":"__jsl_clearance_s","vt":"{int(self.ttl)}","wt":"1500"}}')
        body = f"<!DOCTYPE html><html><head></head><body><script>{sha}\n{go}\ngo({arg})</script></body></html>"
        return Response(status=521, body=body.encode(), content_type="text/html")
