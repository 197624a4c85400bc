"""The pages' side of luoshi/core/bounds.py: every form of a domain app mixes in `BoundedForm`, which gives each
integer, decimal, float and date field the platform's bounds (an unbounded year or a date in 9999 made services
overflow: 500), and `VersionField`, the hidden optimistic-lock version a versioned write must carry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from luoshi.core import bounds


def VersionField(required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        required=required,
        min_value=0,
        max_value=bounds.MAX_INT,
        error_messages={
            "required": bounds.VERSION_MISSING,
            "invalid": bounds.VERSION_MISSING,
            "min_value": bounds.VERSION_MISSING,
            "max_value": bounds.VERSION_MISSING,
        },
    )


def _has(field: forms.Field, kind: type) -> bool:
    return any(isinstance(v, kind) for v in field.validators)


def bound_field(field: forms.Field) -> None:
    if isinstance(field, forms.IntegerField):  # also FloatField and DecimalField
        if not _has(field, MinValueValidator):
            field.validators.append(MinValueValidator(-bounds.MAX_NUMBER if isinstance(field, forms.FloatField | forms.DecimalField) else -bounds.MAX_INT))
        if not _has(field, MaxValueValidator):
            field.validators.append(MaxValueValidator(bounds.MAX_NUMBER if isinstance(field, forms.FloatField | forms.DecimalField) else bounds.MAX_INT))
    elif isinstance(field, forms.DateField):
        if not _has(field, MinValueValidator):
            field.validators.append(MinValueValidator(bounds.MIN_DATE, message=f"日期不能早于 {bounds.MIN_DATE.year} 年。"))
        if not _has(field, MaxValueValidator):
            field.validators.append(MaxValueValidator(bounds.MAX_DATE, message=f"日期不能晚于 {bounds.MAX_DATE.year} 年。"))


class BoundedForm:
    """Mix in before forms.Form / forms.ModelForm."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            bound_field(field)
