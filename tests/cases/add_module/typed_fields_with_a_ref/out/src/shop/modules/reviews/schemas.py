"""Request and response bodies of the `reviews` API."""

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

ProductIdValue = Annotated[int, Field(ge=1, le=2**31 - 1)]
RatingValue = Annotated[int, Field(ge=1, le=5)]

ReviewsSort = Literal["id", "-id", "product_id", "-product_id", "rating", "-rating"]


class ReviewsCreate(BaseModel):
    """Body of `POST /reviews`; any other field is ignored."""

    product_id: ProductIdValue
    rating: RatingValue
    body: str | None = None


class ReviewsUpdate(BaseModel):
    """Body of `PATCH /reviews/{id}`: only the fields sent change."""

    product_id: ProductIdValue | None = None
    rating: RatingValue | None = None
    body: str | None = None

    @field_validator("product_id", "rating")
    @classmethod
    def reject_null(cls, value: object) -> object:
        """A field may be left out, but `null` cannot clear a required value."""
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


class ReviewsRead(BaseModel):
    """One `reviews` row as the API returns it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    rating: int
    body: str | None


class ReviewsQuery(BaseModel):
    """The query of `GET /reviews`: equality filters, the sort key and the page.

    `sort` names a key, `-` first for descending; ties break by id. Any other
    parameter is refused with 422, naming the ones allowed.
    """

    model_config = ConfigDict(extra="forbid")

    product_id: ProductIdValue | None = None
    rating: RatingValue | None = None
    sort: ReviewsSort = "id"
    limit: int = Field(default=50, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=2**31 - 1)

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


class ReviewsPage(BaseModel):
    """One page of rows; `total` counts every row the query matches."""

    items: list[ReviewsRead]
    total: int
    limit: int
    offset: int
