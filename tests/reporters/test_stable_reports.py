"""What is reported does not change behind the user's back: every format, byte for byte, on the
shipped examples, the file-based cases and seeded corpora like the benchmarks' (see
tests/helpers/reports.py for how a deliberate change regenerates them)."""

from __future__ import annotations

import pytest

from tests.helpers.reports import GOLDEN, reports


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return reports(tmp_path_factory.mktemp("corpora"))


def test_every_kept_report_is_still_written(current: dict[str, str]) -> None:
    assert sorted(current) == sorted(path.name for path in GOLDEN.iterdir())


@pytest.mark.parametrize("name", sorted(path.name for path in GOLDEN.iterdir()))
def test_the_report_is_byte_identical(current: dict[str, str], name: str) -> None:
    assert current[name] == (GOLDEN / name).read_text(encoding="utf-8")
