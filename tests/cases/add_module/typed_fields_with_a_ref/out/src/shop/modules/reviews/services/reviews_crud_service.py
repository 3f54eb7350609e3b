"""CRUD rules of the `reviews` module, independent of HTTP."""

from shop.db.base import Base
from shop.domain.exceptions import (
    InvalidFieldError,
    NotFoundError,
)
from shop.modules.products.model import (
    Products,
)
from shop.modules.reviews.model import (
    Reviews,
)
from shop.modules.reviews.repository import (
    ReviewsRepository,
)
from shop.modules.reviews.schemas import (
    ReviewsCreate,
    ReviewsPage,
    ReviewsQuery,
    ReviewsRead,
    ReviewsUpdate,
)

# The `ref` fields and the models whose rows they name.
REFERENCES: tuple[tuple[str, type[Base]], ...] = (("product_id", Products),)


class ReviewsNotFoundError(NotFoundError):
    """No visible `reviews` row has the requested id (answered with 404)."""

    def __init__(self, item_id: int) -> None:
        super().__init__(f"reviews {item_id} not found")


class ReviewsCrudService:
    """List, create, read, update and delete `reviews` rows."""

    def __init__(self, repository: ReviewsRepository) -> None:
        self.repository = repository

    def list_page(self, query: ReviewsQuery) -> ReviewsPage:
        """One page of the matching rows, with how many rows match."""
        rows = self.repository.list_rows(query)
        return ReviewsPage(
            items=[ReviewsRead.model_validate(row) for row in rows],
            total=self.repository.count_rows(query),
            limit=query.limit,
            offset=query.offset,
        )

    def create(self, data: ReviewsCreate) -> Reviews:
        """Store a new row."""
        self.check_references(data)
        item = Reviews(**data.model_dump())
        return self.repository.add(item)

    def get(self, item_id: int) -> Reviews:
        """The row with this id; raises `ReviewsNotFoundError`."""
        item = self.repository.get(item_id)
        if item is None:
            raise ReviewsNotFoundError(item_id)
        return item

    def update(
        self,
        item_id: int,
        changes: ReviewsUpdate,
    ) -> Reviews:
        """Apply the fields that were sent; the others keep their values."""
        item = self.get(item_id)
        self.check_references(changes)
        for name, value in changes.model_dump(exclude_unset=True).items():
            setattr(item, name, value)
        return self.repository.save(item)

    def delete(self, item_id: int) -> None:
        """Delete the row with this id; raises `ReviewsNotFoundError`."""
        self.repository.remove(self.get(item_id))

    def check_references(self, data: ReviewsCreate | ReviewsUpdate) -> None:
        """Refuse (422, naming the field) the id of a row that does not exist."""
        for name, model in REFERENCES:
            item_id = getattr(data, name)
            if item_id is not None and not self.repository.has_row(model, item_id):
                message = f"no {model.__tablename__} row has id {item_id}"
                raise InvalidFieldError(name, message)
