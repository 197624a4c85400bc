"""Plan parser: turn an action-plan document into a ledger of measures. No Django here.

    from luoshi.plans.parser import parse_file, parse_text
    result = parse_file("plan.docx", year=2025)
    for m in result.measures:
        print(m.to_score_dict())

See `api.py` for the entry points, `extract.py` for the pipeline and `readers.py` for the file formats.
"""

from .api import parse_file, parse_text
from .errors import ParseError
from .result import ExtractedMeasure, ParseResult, Target, UnitResolution

__all__ = [
    "ExtractedMeasure",
    "ParseError",
    "ParseResult",
    "Target",
    "UnitResolution",
    "parse_file",
    "parse_text",
]
