from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from app.collection.models import Gender, Season, StockCategory
from app.core.i18n import _
from app.core.localtime import KYIV, today_at
from app.core.schemas import Schema
from app.core.types import MAX_STORED_INT, RecordId
from app.items.models import ItemKind


class NeedStatus(StrEnum):
    open = "open"  # fewer items matched than asked for
    matched = "matched"  # enough items matched
    fulfilled = "fulfilled"  # enough matched items handed over to the utility
    cancelled = "cancelled"  # the utility no longer needs it


def not_in_future(value: date) -> date:
    today = today_at(KYIV)  # the utility's calendar: Ukraine's
    if value > today:
        raise ValueError(
            _("{value} is after today ({today}); enter the day the request was sent").format(
                value=value, today=today
            )
        )
    return value


RequestDate = Annotated[date, AfterValidator(not_in_future)]


class NeedCreate(Schema):
    destination_id: RecordId = Field(description="The utility that asked")
    item_kind: ItemKind = Field(examples=["pump"])
    description: str = Field(
        min_length=1,
        max_length=500,
        examples=["Submersible pump for a well field, 160 m³/h"],
    )
    description_uk: str | None = Field(
        default=None,
        max_length=500,
        examples=["Заглибний насос для водозабору, 160 м³/год"],
        description="The request in Ukrainian, as the utility's staff read it",
    )
    quantity: int = Field(gt=0, le=MAX_STORED_INT, examples=[4])
    priority: int = Field(default=3, ge=1, le=5, description="1 = most urgent, 5 = least")
    requested_on: RequestDate = Field(
        default_factory=lambda: today_at(KYIV), description="The day the utility sent the request"
    )
    goods_category: StockCategory | None = Field(
        default=None, description="Sorted goods (item_kind goods): the catalogue's category"
    )
    goods_subcategory: str | None = Field(default=None, min_length=1, max_length=40)
    gender: Gender | None = None
    size: str | None = Field(default=None, min_length=1, max_length=20)
    season: Season | None = None

    @model_validator(mode="after")
    def _goods(self) -> "NeedCreate":
        if self.item_kind == ItemKind.goods and self.goods_category is None:
            raise ValueError(_("a need for sorted goods names its category: set goods_category"))
        if self.item_kind != ItemKind.goods and self.goods_category is not None:
            raise ValueError(_("goods_category is only for needs of kind goods"))
        return self


class NeedUpdate(Schema):
    """Cancelling is an action (`POST /needs/{id}/cancel`), not a field to patch."""

    # Refuse fields that cannot change here instead of silently dropping them.
    model_config = ConfigDict(extra="forbid")

    destination_id: RecordId | None = None
    item_kind: ItemKind | None = None
    description: str | None = Field(default=None, min_length=1, max_length=500)
    description_uk: str | None = Field(default=None, max_length=500)
    quantity: int | None = Field(default=None, gt=0, le=MAX_STORED_INT)
    priority: int | None = Field(default=None, ge=1, le=5)
    requested_on: RequestDate | None = None


class NeedRead(Schema):
    id: int
    destination_id: RecordId
    item_kind: ItemKind
    description: str
    description_uk: str | None
    quantity: int
    priority: int
    requested_on: date
    goods_category: StockCategory | None
    goods_subcategory: str | None
    gender: Gender | None
    size: str | None
    season: Season | None
    status: NeedStatus
    matched_quantity: int = Field(
        description="Items allocated against this need, not counting withdrawn ones"
    )
    delivered_quantity: int = Field(description="Matched items already handed over")
    open_quantity: int = Field(description="How many are still missing (never below 0)")
    matched_item_ids: list[RecordId]
    version: int
    created_at: datetime
    updated_at: datetime
