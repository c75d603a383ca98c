"""/api/v1/places and /api/v1/organisations."""

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from linli.api.pagination import Pagination
from linli.api.schemas import LIST_ERRORS, MAX_ID, READ_ERRORS, PublicPhone

from . import selectors
from .models import OrganisationKind, PlaceKind

router = Router(tags=["places"])
organisations_router = Router(tags=["organisations"])


class PlaceOut(Schema):
    id: int
    kind: PlaceKind
    name: str
    name_en: str
    code: str
    parent: int | None = Field(None, alias="parent_id")
    path: str = Field(
        ..., alias="name_path", description="Names from the district down, joined by /"
    )


class PlaceFilters(Schema):
    parent: int | None = Field(
        None, ge=1, le=MAX_ID, description="Only direct children of this place"
    )
    kind: PlaceKind | None = None
    within: int | None = Field(
        None, ge=1, le=MAX_ID, description="Anywhere in the subtree of this place"
    )


@router.get("", response={200: list[PlaceOut], **LIST_ERRORS}, summary="Places in your scope")
@paginate(Pagination)
def places_list(request: HttpRequest, filters: Query[PlaceFilters]):
    return selectors.place_list(
        user=request.user, parent=filters.parent, kind=filters.kind, within=filters.within
    )


@router.get("/{place_id}", response={200: PlaceOut, **READ_ERRORS}, summary="One place")
def places_get(request: HttpRequest, place_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.place_get(user=request.user, pk=place_id)


class OrganisationOut(Schema):
    id: int
    name: str
    name_en: str
    kind: OrganisationKind
    place: int = Field(..., alias="place_id")
    place_path: str = Field(..., alias="place.name_path")
    parent: int | None = Field(None, alias="parent_id")
    phone: PublicPhone


class OrganisationFilters(Schema):
    place: int | None = Field(
        None, ge=1, le=MAX_ID, description="Organisations attached to this place"
    )
    kind: OrganisationKind | None = None


@organisations_router.get(
    "", response={200: list[OrganisationOut], **LIST_ERRORS}, summary="Organisations"
)
@paginate(Pagination)
def organisations_list(request: HttpRequest, filters: Query[OrganisationFilters]):
    return selectors.organisation_list(user=request.user, place=filters.place, kind=filters.kind)


@organisations_router.get(
    "/{organisation_id}",
    response={200: OrganisationOut, **READ_ERRORS},
    summary="One organisation",
)
def organisations_get(request: HttpRequest, organisation_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.organisation_get(user=request.user, pk=organisation_id)
