"""The ``fact_keys`` catalogue SQL users pivot by must name exactly the keys the parsers emit."""
from __future__ import annotations

from archive.factkeys import catalog
from parsers.schema import layout_keys


def test_the_catalogue_is_the_parsers_key_set_with_the_right_layouts():
    rows = {row["key"]: row for row in catalog()}
    in_2019, in_2021 = set(layout_keys("2019")), set(layout_keys("2021"))
    hybrid = set(layout_keys("2019", hybrid=True)) | set(layout_keys("2021", hybrid=True))
    assert set(rows) == in_2019 | in_2021 | hybrid
    for key, row in rows.items():
        expected = {(True, True): "both", (True, False): "2019", (False, True): "2021"}.get(
            (key in in_2019, key in in_2021), "2021")  # hybrid-only rows are the 2021 sub-rows
        assert row["layouts"] == expected, key
    assert [row["position"] for row in catalog()] == list(range(1, len(rows) + 1))
    assert {row["unit"] for row in rows.values() if row["key"].endswith("amount_wan")} == {"wan_yuan"}
