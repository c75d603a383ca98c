"""The one pagination of every API list: ``limit``/``offset`` in, ``{items, count}`` out.

Ninja's own class leaves ``offset`` unbounded; a 20-digit offset would overflow the
database's integer, so both are bounded here."""

from django.conf import settings
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from linli.core.ids import MAX_ID


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: int = Field(0, ge=0, le=MAX_ID // 2)
