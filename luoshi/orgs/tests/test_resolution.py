"""The matching rules and name normalisation of the directory (pure: no database)."""

from __future__ import annotations

from luoshi.orgs.resolution import DirectoryIndex, RegionNode, ResolutionStatus, guess_kind, normalise_name


def test_normalise_removes_whitespace_fullwidth_and_trailing_deng() -> None:
    assert normalise_name(" 市 发改委 ") == "市发改委"
    assert normalise_name("市发改委等") == "市发改委"
    assert normalise_name("园区党群工作部(组织部)") == "园区党群工作部(组织部)"
    assert normalise_name("ＡＢＣ　市经信局、") == "ABC市经信局"
    assert normalise_name("(市发改委)") == "市发改委"
    assert normalise_name("“市发改委”") == "市发改委"
    assert normalise_name("等") == ""


def test_pure_index_without_django_models() -> None:
    index = DirectoryIndex(
        region=RegionNode(2, "荆门市"),
        ancestors=[RegionNode(1, "湖北省")],
        descendants=[RegionNode(3, "钟祥市")],
    )
    index.add_unit(10, 2, "荆门市发展和改革委员会")
    index.add_alias(10, 2, "市发改委")
    index.add_unit(20, 1, "湖北省发展和改革委员会")
    index.add_alias(20, 1, "省发改委")
    index.add_unit(30, 3, "钟祥市发展和改革局")
    index.add_alias(30, 3, "市发改局")
    assert index.resolve("市发改委").unit_ids == (10,)
    assert index.resolve("荆门市发改委").unit_ids == (10,)
    assert index.resolve("省发改委").unit_ids == (20,)
    assert index.resolve("湖北省发改委").unit_ids == (20,)
    assert index.resolve("钟祥市发改局").unit_ids == (30,)
    # An unprefixed alias of a region below is never reached from above.
    assert index.resolve("市发改局").status == ResolutionStatus.UNKNOWN


def test_guess_kind() -> None:
    assert guess_kind("园区各相关单位") == "collective"
    assert guess_kind("市法院") == "judicial"
    assert guess_kind("荆门海关") == "vertical"
    assert guess_kind("市城控集团") == "soe"
    assert guess_kind("市委组织部") == "party"
    assert guess_kind("市数据局") == "government"
