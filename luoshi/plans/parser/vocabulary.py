"""Every word list the parser reads by, declared once. Each stage builds its patterns from these tuples, so a
label, a duty verb or a collective added here is known to the responsibility phrases, the label lines, the
inline labels after a sentence, the task-table headers and the document-kind test alike.

Roles: a list under a LEAD label leads; under a CO label it co-operates; under a SINGLE label (责任单位) it
leads unless a LEAD label is beside it in the same measure, when it co-operates (gold README: "牵头单位 → lead,
责任单位/配合单位 → co when both labels are present; a single list is all lead").
"""

from __future__ import annotations

import re

LEAD_LABELS = (
    "总牵头单位",
    "牵头责任单位",
    "主要责任单位",
    "牵头单位",
    "牵头部门",
    "主责单位",
    "主责部门",
    "牵头处室",
)
CO_LABELS = (
    "配合单位",
    "配合部门",
    "协同单位",
    "协同部门",
    "协办单位",
    "参与单位",
    "协助单位",
    "协作单位",
    "参加单位",
    "次要责任单位",
    "其他责任单位",
    "协同责任单位",
    "配合责任单位",
    "协办责任单位",
    "配合处室",
)
SINGLE_LABELS = ("责任单位", "责任部门", "责任主体", "实施单位", "承办单位", "落实单位", "责任处室")
# Labels whose value names a person, not a unit ("牵头负责领导:刘惠。", "(责任秘书长:李振峰,责任单位:市政府办公室)"):
# their lines end the measure's text and are read as nothing.
PERSON_LABELS = (
    "牵头负责领导",
    "牵头领导",
    "责任领导",
    "分管领导",
    "包保领导",
    "联系领导",
    "责任秘书长",
    "牵头秘书长",
    "分管秘书长",
    "联系秘书长",
    "责任人",
    "联系人",
)
# Notes closing a unit list about other items ("以下各任务均需X落实,不再一一列出", "…,下同"): not units.
LIST_NOTE_WORDS = ("以下", "不再一一列出", "不再重复", "不再列出", "下同", "均涉及", "均需")
# A note about later items that closes a responsibility phrase after its own sentence or clause
# ("…按职责分工负责。以下均需各市、县政府落实,不再列出"): the phrase ends before it.
LIST_NOTE_STARTS = ("以下", "下列各项", "后续各项")
# What a count names when it only names a set of measures ("90条措施", "102项重大工程"): no target unless a
# commitment verb stands before it.
NAMED_SET_WORDS = ("措施", "举措", "工程", "任务", "政策", "行动", "事项", "条例", "意见", "指标")
TIME_LABELS = (
    "完成时限",
    "完成时间",
    "时限要求",
    "时间要求",
    "完成期限",
    "时间节点",
    "进度安排",
    "时间进度",
    "办结时限",
)

# Duty verbs after a unit list: "X牵头", "X负责", "Y配合".
LEAD_VERBS = ("分别牵头", "牵头负责", "负责牵头", "牵头抓总", "负总责", "牵头", "主责", "主办")
# After a duty verb a short word may follow ("牵头推动", "按职责分工推进", "牵头办理"): DUTY_TAIL_MAX characters,
# never a person ("负责人") — see units.PHRASE_RULES.
DUTY_TAIL_MAX = 2
DUTY_TAIL_NOT = ("人", "的", "同志")
SINGLE_VERBS = (
    "按职责分工负责",
    "按职责分工",
    "按职责负责",
    "分别负责",
    "负责落实",
    "具体负责",
    "负责",
    "具体落实",
    "抓好落实",
    "组织落实",
    "分别落实",
    "落实",
    "具体实施",
    "组织实施",
    "实施",
)
CO_VERBS = ("共同负责", "按职责分工负责", "按职责配合", "配合", "协同", "参与", "协助", "协办")
# A unit name never ends with one of these: "各县市区政府落实" is a unit and its duty.
DUTY_ENDINGS = (
    "落实",
    "负责",
    "配合",
    "牵头",
    "实施",
    "推进",
    "参与",
    "协助",
    "协同",
    "抓总",
    "主办",
    "协办",
)

# A marker may carry a sign after its number that flags a key item ("1* .开展…", "2★、…"): read as decoration.
# the furniture a document-sharing site puts before a copied document ("《X.doc》由会员分享,可在线阅读"): its page
# chunks are then numbered "1、", "2、" (`structure.PAGE_MARKER_RULE`)
SHARING_SITE_SIGNS = ("由会员分享", "可在线阅读", "页珍藏版", "分享文档赚钱", "原创力文档", "道客巴巴", "豆丁网")

MARKER_AFTER_DECORATION = "*＊★☆※"
# Signs a table or list puts before a unit name to mark it ("★区发改委、统计局": the starred unit leads the row, a
# convention the document may not spell out): decoration, never part of the name.
UNIT_DECORATION = "★☆※▲△●◆■□◇*＊"
# A legend that gives a sign a role ("标★的为牵头单位", "带“★”号的为牵头单位", "★为牵头单位"): in such a document a
# unit marked with the sign leads and the others of its list co-operate (without a legend the sign is decoration).
# (The pattern starts at the sign, so scanning a long text costs little; "标", "带“…”号" before it are optional.)
SIGN_LEGEND = re.compile(
    r"([★☆※▲△●◆■])[”\"]?\s*(?:号|符号|标记|标识)?\s*(?:的|者)?\s*(?:单位)?\s*(?:为|是|表示|系)\s*(?:牵头|主责|主办)"
)
# A generic party word after a collective continues it: "市直有关部门、单位" is one party, not two.
GENERIC_PARTY_WORDS = ("单位", "部门", "机构", "单位等", "部门等")

# "X等各相关部门" gives X and 各相关部门: the words a collective after 等 starts with.
COLLECTIVE_PREFIXES = (
    "各",
    "其他",
    "有关",
    "相关",
    "省直",
    "市直",
    "区直",
    "县直",
    "州直",
    "省级",
    "市级",
    "区级",
    "县级",
    "省有关",
    "市有关",
    "县有关",
    "区有关",
    "省相关",
    "市相关",
)

# Task-table column headers (substrings), by the role of the column.
TABLE_LEAD_HEADERS = ("牵头", "主责")
TABLE_CO_HEADERS = ("配合", "协同", "协办", "参与单位", *SINGLE_LABELS)
TABLE_TIME_HEADERS = ("时限", "完成时间", "时间进度", "进度安排", "期限", "时间节点", "时间安排", "完成日期")


def alternation(words: tuple[str, ...]) -> str:
    """A regex alternation of `words`, longest first (so 牵头负责 wins over 牵头)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


LABEL_LEAD = f"(?:{alternation(LEAD_LABELS)})"
LABEL_CO = f"(?:{alternation(CO_LABELS + SINGLE_LABELS)})"
LABEL_SINGLE = f"(?:{alternation(SINGLE_LABELS)})"
LABEL_TIME = f"(?:{alternation(TIME_LABELS)})"
LABEL_UNIT = f"(?:{alternation(LEAD_LABELS + CO_LABELS + SINGLE_LABELS)})"
LABEL_PERSON = f"(?:{alternation(PERSON_LABELS)})"
LABEL_ANY_WORD = f"(?:{alternation(LEAD_LABELS + CO_LABELS + SINGLE_LABELS + TIME_LABELS + PERSON_LABELS)})"
