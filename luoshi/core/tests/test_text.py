import codecs

from luoshi.core.text import decode_chinese

TEXT = "荆门市发展和改革委员会,市发改委"


def test_every_encoding_offices_send() -> None:
    assert decode_chinese(TEXT.encode("utf-8")) == (TEXT, "UTF-8")
    assert decode_chinese(codecs.BOM_UTF8 + TEXT.encode("utf-8")) == (TEXT, "UTF-8 (BOM)")
    assert decode_chinese(TEXT.encode("utf-16")) == (TEXT, "UTF-16")
    assert decode_chinese(TEXT.encode("gbk")) == (TEXT, "GB18030/GBK")
    assert decode_chinese(TEXT.encode("gb18030")) == (TEXT, "GB18030/GBK")


def test_bytes_that_fit_nothing_are_reported_not_guessed() -> None:
    assert decode_chinese(codecs.BOM_UTF8 + b"\xff\xfe\xfa") is None
    assert decode_chinese(b"\x81") is None  # a lone GB18030 lead byte
