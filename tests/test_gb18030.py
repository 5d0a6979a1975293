"""GB18030 to UTF-8 through iconv: the same text as Python's codec, and the same refusals."""

import pytest

from etl import gb18030


def every_character() -> str:
    """Every Unicode character beyond ASCII that text can hold (no surrogates)."""
    return "".join(chr(c) for c in range(0x80, 0x110000) if not 0xD800 <= c < 0xE000)


@pytest.fixture(params=["iconv", "python"])
def converter(request, monkeypatch):
    if request.param == "iconv":
        if gb18030._ICONV is None:
            pytest.skip("this C library has no iconv GB18030")
    else:
        monkeypatch.setattr(gb18030, "_ICONV", None)
    return gb18030.to_utf8


def test_every_character_comes_back_as_it_was_written(converter):
    text = "编号,客户\nT1,北京\n" + every_character()
    data = text.encode("gb18030")
    assert converter(data).decode("utf-8") == text
    assert converter(bytearray(data)) == text.encode("utf-8")
    assert converter(memoryview(data)[12:]) == text.encode("gb18030")[12:].decode(
        "gb18030").encode("utf-8")


@pytest.mark.parametrize("data", [b"abc\x81", b"ab\xff\xfe,x\n", b"\x81\x30", b"T1,\x80,x\n"])
def test_a_refusal_says_where_as_pythons_codec_does(converter, data):
    with pytest.raises(UnicodeDecodeError) as expected:
        data.decode("gb18030")
    with pytest.raises(UnicodeDecodeError) as got:
        converter(data)
    assert (got.value.start, got.value.end, got.value.reason) == (
        expected.value.start, expected.value.end, expected.value.reason)


def test_iconv_reads_the_2005_editions_two_byte_codes():
    """A6D9 is ︐ (U+FE10) since GB18030-2005; Python's codec still gives a private-use code."""
    if gb18030._ICONV is None:
        pytest.skip("this C library has no iconv GB18030")
    assert gb18030.to_utf8(b"\xa6\xd9").decode() == "\ufe10"
