"""/api/v1/me: who is asking and what they may do where."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from linli.api.schemas import COMMON_ERRORS, MaskedPhone

from .roles import Role
from .selectors import grant_list_for_user

router = Router(tags=["accounts"])


class GrantOut(Schema):
    role: Role
    place: int = Field(..., alias="place_id")
    place_path: str = Field(..., alias="place.name_path")
    place_kind: str = Field(..., alias="place.kind")
    organisation: int | None = Field(None, alias="organisation_id")
    valid_until: datetime | None


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    mobile: MaskedPhone = Field(..., description="Masked, e.g. 138****1234")
    is_superuser: bool
    grants: list[GrantOut]


@router.get("/me", response={200: MeOut, **COMMON_ERRORS}, summary="The signed-in user")
def me(request: HttpRequest):
    user = request.user
    user.grants = list(grant_list_for_user(user=user))
    return user
