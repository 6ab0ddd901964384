"""Content-Disposition file names as Chinese portals send them."""
from __future__ import annotations

import pytest

from archive.headers import content_disposition_filename, normalise, url_filename

NAME = "洪泽区2023年政府信息公开工作年度报告.pdf"


@pytest.mark.parametrize("header", [
    "attachment; filename*=UTF-8''" + "%E6%B4%AA%E6%B3%BD%E5%8C%BA2023%E5%B9%B4%E6%94%BF%E5%BA%9C%E4%BF%A1%E6%81%AF"
    "%E5%85%AC%E5%BC%80%E5%B7%A5%E4%BD%9C%E5%B9%B4%E5%BA%A6%E6%8A%A5%E5%91%8A.pdf",  # RFC 5987
    'attachment; filename="fallback.pdf"; filename*=utf-8\'zh\'' + NAME.encode().hex("%").join(["%", ""]).upper(),
    "attachment; filename=" + "".join(f"%{b:02X}" for b in NAME.encode("utf-8")),  # percent-encoded UTF-8
    'attachment; filename="' + "".join(f"%{b:02x}" for b in NAME.encode("gbk")) + '"',  # percent-encoded GBK
    b'attachment; filename="' + NAME.encode("gbk") + b'"',  # raw GBK bytes (Scrapy hands over bytes)
    ('attachment; filename="' + NAME.encode("gbk").decode("latin-1") + '"'),  # the same via http.client
    b"inline; filename=" + NAME.encode("utf-8"),  # raw UTF-8, unquoted
    "attachment; filename=\"=?UTF-8?B?" + __import__("base64").b64encode(NAME.encode()).decode() + "?=\"",
    'attachment; filename="C:\\Users\\admin\\Desktop\\' + NAME + '"',  # a path from an old upload form
])
def test_filename_decoded_every_way_portals_encode_it(header):
    assert content_disposition_filename(header) == NAME


@pytest.mark.parametrize("header", [None, "", "attachment", "inline; name=x"])
def test_no_filename(header):
    assert content_disposition_filename(header) is None


def test_url_filename_percent_decoded():
    assert url_filename("http://x.test/attach/%E6%B4%AA%E6%B3%BD.pdf?id=1") == "洪泽.pdf"
    assert url_filename("http://x.test/attach/%BA%E9%D4%F3.pdf") == "洪泽.pdf"  # GBK in the URL
    assert url_filename("http://x.test/") is None


def test_headers_normalised_from_scrapy_form():
    out = normalise({b"Content-Type": [b"application/pdf"], b"ETag": [b'"5f3a"'], b"Set-Cookie": [b"a=1", b"b=2"],
                     b"X-Name": ["洪泽".encode("gbk")]})
    assert out == {"content-type": "application/pdf", "etag": '"5f3a"', "set-cookie": "a=1\nb=2", "x-name": "洪泽"}
