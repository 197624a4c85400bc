"""The eligibility engine (资格判定引擎): a plain library, no Django.

Start with `rules.py` (condition trees as data), `profile.py` (one firm: three-valued result, why / why-not),
`columnar.py` (every firm at once, per-leaf bitsets kept), `rulebook.py` (YAML with test cases), `allocate.py`
(不重复享受 / 名额 / 资金总额 after eligibility) and `size.py` (大/中/小/微 from 工信部联企业〔2011〕300号).
"""
