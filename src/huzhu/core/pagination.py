"""The API's one pagination: `?page=N` (from 1) and optional `&page_size=` (at most 200), answered
as `{"items": [...], "count": total}`. Bounded so a huge page number is a 422, not a database error."""
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 100_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="页码，从 1 开始")
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE, description="每页条数，默认 50，最多 200")

    def __init__(self, **kwargs):
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)
