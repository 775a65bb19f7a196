"""Uploaded file names as they may be stored: the browser's name, cleaned."""
import pytest

from app.services.file_names import MAX_LENGTH, clean_file_name


@pytest.mark.parametrize("sent, kept", [
    ("отчёт.pdf", "отчёт.pdf"),
    ("C:\\Users\\me\\отчёт.pdf", "отчёт.pdf"),  # Windows browsers send the path
    ("../../etc/passwd", "passwd"),
    ("от\x00чёт.pdf", "отчёт.pdf"),  # PostgreSQL text cannot hold NUL
    ("от\ud800чёт.pdf", "отчёт.pdf"),  # no UTF-8 encoder writes a lone surrogate
    ("a\tb\r\n.pdf", "ab.pdf"),
    ("\x00", ""),
    (None, ""),
])
def test_a_file_name_keeps_its_last_part_without_unprintable_characters(sent, kept):
    assert clean_file_name(sent) == kept


def test_a_long_file_name_is_cut_keeping_its_extension():
    name = clean_file_name("я" * 400 + ".xlsx")
    assert len(name) == MAX_LENGTH and name.endswith("я.xlsx")
