"""ORM model of the `products` table."""

from decimal import Decimal

from sqlalchemy import (
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
