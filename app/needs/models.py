from datetime import date

from sqlmodel import Field

from app.collection.models import Gender, Season, StockCategory
from app.core.models import Entity, sort_indexes
from app.core.types import enum_type
from app.items.models import ItemKind


class Need(Entity, table=True):
    """What a recipient (a utility, a clinic, a hospital) has asked for: matched by items
    allocated against it, or, for sorted goods (kind "goods"), by stock reserved at a collection
    point."""

    __table_args__ = sort_indexes("need", "priority", "requested_on", "created_at")

    destination_id: int = Field(foreign_key="destination.id", index=True)
    item_kind: ItemKind = Field(sa_type=enum_type(ItemKind))
    description: str = Field(max_length=500)
    description_uk: str | None = Field(default=None, max_length=500)  # the request in Ukrainian
    quantity: int = Field(gt=0)
    priority: int = Field(default=3, ge=1, le=5)  # 1 = most urgent
    # The day the utility sent the request; never null, so lists can page by it.
    requested_on: date
    cancelled: bool = False
    # Sorted goods only: what fits, matched against the stock lines of the collection points.
    goods_category: StockCategory | None = Field(default=None, sa_type=enum_type(StockCategory))
    goods_subcategory: str | None = Field(default=None, max_length=40)
    gender: Gender | None = Field(default=None, sa_type=enum_type(Gender))
    size: str | None = Field(default=None, max_length=20)
    season: Season | None = Field(default=None, sa_type=enum_type(Season))
