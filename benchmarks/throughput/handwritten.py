"""The yardstick of `scripts/bench_throughput.py`: a minimal hand-written FastAPI app.

It serves the same list and create queries on the same `items` table as a generated
crud module (`polepos add module items --template crud`), written the way the FastAPI
and SQLAlchemy documentation show: synchronous endpoints, a session per request from a
dependency, response models built from the ORM rows, and no middleware at all.

Run it from the generated project's virtual environment with `DATABASE_URL` set:
`uvicorn handwritten:app --app-dir benchmarks/throughput`.
"""

import os
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, status
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy import String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

DATABASE_URL = os.environ["DATABASE_URL"]
# SQLite connections may be used by another thread of FastAPI's pool than the one
# that opened them.
connect_args: dict[str, Any] = {"check_same_thread": False} if DATABASE_URL.startswith("sqlite") else {}
engine = create_engine(DATABASE_URL, connect_args=connect_args)
SessionLocal = sessionmaker(bind=engine, autoflush=False, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class ItemCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


def get_session() -> Iterator[Session]:
    with SessionLocal() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

app = FastAPI()


@app.get("/api/v1/items", response_model=list[ItemRead])
def list_items(session: SessionDep) -> list[Item]:
    return list(session.scalars(select(Item).order_by(Item.id)).all())


@app.post("/api/v1/items", status_code=status.HTTP_201_CREATED, response_model=ItemRead)
def create_item(data: ItemCreate, session: SessionDep) -> Item:
    item = Item(name=data.name)
    session.add(item)
    session.commit()
    session.refresh(item)
    return item
