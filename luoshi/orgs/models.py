"""The org directory (组织机构): regions in a tree, units in each region, aliases as plans write them,
and the enterprises (经营主体) that requests and policies concern."""

from __future__ import annotations

from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市(州)"
    COUNTY = "county", "县(市、区)"
    PARK = "park", "园区"
    TOWN = "town", "乡镇街道"


class Region(models.Model):
    """A node of the administrative tree. `path` holds the ancestor ids ("/1/5/12/") for subtree queries."""

    code = models.CharField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    PARTY = "party", "党委部门"
    GOVERNMENT = "government", "政府部门"
    JUDICIAL = "judicial", "法院/检察院"
    VERTICAL = "vertical", "中直/省直驻地单位"
    SOE = "soe", "国企"
    UNIVERSITY = "university", "高校"
    PARK_DEPT = "park_dept", "园区部门"
    LOCAL_GOV = "local_gov", "县市区/镇区政府"
    FINANCIAL = "financial", "金融机构"
    COLLECTIVE = "collective", "泛指(各相关单位)"
    OTHER = "other", "其他"


class Unit(models.Model):
    """A responsible unit (责任单位). `verified` is False when the full name could not be confirmed from
    the documents: the name is kept as written for an administrator to correct."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="units", verbose_name="所属区域"
    )
    name = models.CharField("规范全称", max_length=200)
    kind = models.CharField("类别", max_length=16, choices=UnitKind.choices, default=UnitKind.GOVERNMENT)
    verified = models.BooleanField("全称已核实", default=True)
    is_active = models.BooleanField("在用", default=True)
    note = models.CharField("备注", max_length=300, blank=True)
    # 包保/分管领导: the leader in charge of the unit, told when its tasks are escalated (通报)
    leader = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_units",
        verbose_name="分管(包保)领导",
    )
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region")]
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_collective(self) -> bool:
        """A placeholder such as 园区各相关单位: a set of units, not one accountable unit."""
        return self.kind == UnitKind.COLLECTIVE


class UnitAlias(models.Model):
    """A name as plans write it (市发改委). The same alias may exist in several regions; resolution is
    always in the context of a region."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="unit_aliases")
    alias = models.CharField("简称/别名", max_length=200, db_index=True)

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"
        constraints = [models.UniqueConstraint(fields=["unit", "alias"], name="alias_unique_per_unit")]
        indexes = [models.Index(fields=["region", "alias"])]

    def __str__(self) -> str:
        return self.alias


class Enterprise(models.Model):
    """An enterprise (经营主体). Enterprise users see only their own firm."""

    name = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="enterprises")
    industry = models.CharField("行业", max_length=100, blank=True)
    scale = models.CharField("规模", max_length=20, blank=True)
    founded = models.DateField("成立日期", null=True, blank=True)
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    attributes = models.JSONField("画像属性", default=dict, blank=True)

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        indexes = [models.Index(fields=["region", "industry"])]

    def __str__(self) -> str:
        return self.name
