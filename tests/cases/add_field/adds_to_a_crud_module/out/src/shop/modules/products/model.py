"""ORM model of the `products` table."""

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from shop.db.base import Base


class Products(Base):
    """One row of `products`."""

    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255), unique=True)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    stock: Mapped[int] = mapped_column(Integer, server_default="0")
    released_on: Mapped[date | None] = mapped_column(Date)
