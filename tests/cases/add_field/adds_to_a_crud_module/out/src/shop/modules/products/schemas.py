"""Request and response bodies of the `products` API."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

TitleValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
PriceValue = Annotated[
    Decimal,
    Field(allow_inf_nan=False, max_digits=12, decimal_places=2, ge=Decimal("0")),
]
StockValue = Annotated[int, Field(ge=0, le=2**31 - 1)]

ProductsSort = Literal[
    "id",
    "-id",
    "title",
    "-title",
    "price",
    "-price",
    "stock",
    "-stock",
    "released_on",
    "-released_on",
]


class ProductsCreate(BaseModel):
    """Body of `POST /products`; any other field is ignored."""

    title: TitleValue
    price: PriceValue
    stock: StockValue = 0
    released_on: date | None = None


class ProductsUpdate(BaseModel):
    """Body of `PATCH /products/{id}`: only the fields sent change."""

    title: TitleValue | None = None
    price: PriceValue | None = None
    stock: StockValue | None = None
    released_on: date | None = None

    @field_validator("title", "price", "stock")
    @classmethod
    def reject_null(cls, value: object) -> object:
        """A field may be left out, but `null` cannot clear a required value."""
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


class ProductsRead(BaseModel):
    """One `products` row as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    price: Decimal
    stock: int
    released_on: date | None


class ProductsQuery(BaseModel):
    """The query of `GET /products`: equality filters, the sort key.

    `sort` names a key, `-` first for descending; ties break by id. Any other
    parameter is refused with 422, naming the ones allowed.
    """

    model_config = ConfigDict(extra="forbid")

    title: TitleValue | None = None
    stock: StockValue | None = None
    released_on: date | None = None
    sort: ProductsSort = "id"

    @model_validator(mode="before")
    @classmethod
    def refuse_unknown_keys(cls, data: object) -> object:
        """Name the parameters the list takes when it is sent another one."""
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(cls.model_fields))
            if unknown:
                allowed = ", ".join(cls.model_fields)
                raise ValueError(f"unknown parameter {', '.join(unknown)}; allowed: {allowed}")
        return data
