"""/api/v1/residents and /api/v1/households: the same scope, masking and audit as the pages."""

from datetime import date
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from linli.api.pagination import Pagination
from linli.api.schemas import (
    ACTION_ERRORS,
    LIST_ERRORS,
    MAX_ID,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    MaskedIdNumber,
    MaskedPhone,
    Text,
)
from linli.places import selectors as place_selectors

from . import selectors, services
from .models import Gender, Relation, ResidentStatus, Tag

router = Router(tags=["residents"])
households_router = Router(tags=["residents"])


class ResidentOut(Schema):
    id: int
    name: str
    gender: Gender
    birth_date: date
    age: int
    tags: list[Tag]
    place: int = Field(..., alias="place_id")
    place_path: str = Field(..., alias="place.name_path")
    household: int | None = Field(None, alias="household_id")
    relation: Relation
    status: ResidentStatus
    id_number: MaskedIdNumber = Field(..., description="Masked: 140213********1234")
    phone: MaskedPhone = Field(..., description="Masked: 138****1234")


class ResidentFilters(Schema):
    place: int | None = Field(
        None, ge=1, le=MAX_ID, description="Residents anywhere in this subtree"
    )
    tag: Tag | None = None
    q: Text(50) | None = Field(
        None, description="Name, pinyin or initials (zxm), full ID or mobile number"
    )
    age_band: Literal["0-13", "14-17", "18-34", "35-59", "60-64", "65-79", "80+"] | None = None
    status: ResidentStatus | None = Field(ResidentStatus.LIVING)


class TagsIn(InputSchema):
    lives_alone: bool = False
    low_income: bool = False
    disabled: bool = False
    party_member: bool = False
    volunteer: bool = False


class ResidentIn(TagsIn):
    name: Text(50, 1)
    place: int = Field(..., ge=1, le=MAX_ID, description="The household place")
    gender: Gender | None = Field(None, description="Taken from the ID number when omitted")
    birth_date: date | None = Field(None, description="Taken from the ID number when omitted")
    id_number: Text(30) = ""
    phone: Text(30) = ""
    relation: Relation = Relation.OTHER
    notes: Text(2000) = ""


class ResidentPatch(InputSchema):
    name: Text(50, 1) | None = None
    gender: Gender | None = None
    birth_date: date | None = None
    id_number: Text(30) | None = None
    phone: Text(30) | None = None
    relation: Relation | None = None
    notes: Text(2000) | None = None
    lives_alone: bool | None = None
    low_income: bool | None = None
    disabled: bool | None = None
    party_member: bool | None = None
    volunteer: bool | None = None


class RevealOut(Schema):
    id_number: MaskedIdNumber = Field(..., description="Whole (the reveal is audited)")
    phone: MaskedPhone = Field(..., description="Whole (the reveal is audited)")


@router.get("", response={200: list[ResidentOut], **LIST_ERRORS}, summary="Residents in your scope")
@paginate(Pagination)
def residents_list(request: HttpRequest, filters: Query[ResidentFilters]):
    if not request.user.has_perm("residents.view_resident"):
        return selectors.resident_list(user=request.user).none()
    return selectors.resident_list(
        user=request.user,
        place=filters.place,
        tag=filters.tag,
        q=filters.q,
        age_band=filters.age_band,
        status=filters.status,
    )


@router.get("/{resident_id}", response={200: ResidentOut, **READ_ERRORS}, summary="One resident")
def residents_get(request: HttpRequest, resident_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.resident_get(user=request.user, pk=resident_id)


@router.post("", response={201: ResidentOut, **WRITE_ERRORS}, summary="Register a resident")
def residents_create(request: HttpRequest, payload: ResidentIn):
    place = place_selectors.place_get(user=request.user, pk=payload.place)
    values = payload.dict(exclude={"place"})
    resident = services.resident_create(actor=request.user, place=place, request=request, **values)
    return Status(201, selectors.resident_get(user=request.user, pk=resident.pk))


@router.patch(
    "/{resident_id}", response={200: ResidentOut, **WRITE_ERRORS}, summary="Change a resident"
)
def residents_update(
    request: HttpRequest, payload: ResidentPatch, resident_id: int = Path(..., ge=1, le=MAX_ID)
):
    resident = selectors.resident_get(user=request.user, pk=resident_id)
    services.resident_update(
        actor=request.user, resident=resident, request=request, **payload.dict(exclude_unset=True)
    )
    return selectors.resident_get(user=request.user, pk=resident_id)


@router.post(
    "/{resident_id}/reveal",
    response={200: RevealOut, **ACTION_ERRORS},
    summary="Full ID and mobile numbers (audited)",
)
def residents_reveal(request: HttpRequest, resident_id: int = Path(..., ge=1, le=MAX_ID)):
    resident = selectors.resident_get(user=request.user, pk=resident_id)
    return services.resident_reveal(actor=request.user, resident=resident, request=request)


class MemberOut(Schema):
    id: int
    name: str
    relation: Relation
    age: int
    status: ResidentStatus


class HouseholdOut(Schema):
    id: int
    place: int = Field(..., alias="place_id")
    place_path: str = Field(..., alias="place.name_path")
    is_active: bool


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut] = Field(..., alias="member_list")


class HouseholdFilters(Schema):
    place: int | None = Field(
        None, ge=1, le=MAX_ID, description="Households anywhere in this subtree"
    )


class HouseholdIn(InputSchema):
    place: int = Field(..., ge=1, le=MAX_ID, description="A place of kind household")


@households_router.get("", response={200: list[HouseholdOut], **LIST_ERRORS}, summary="Households")
@paginate(Pagination)
def households_list(request: HttpRequest, filters: Query[HouseholdFilters]):
    return selectors.household_list(user=request.user, place=filters.place)


@households_router.get(
    "/{household_id}", response={200: HouseholdDetailOut, **READ_ERRORS}, summary="One household"
)
def households_get(request: HttpRequest, household_id: int = Path(..., ge=1, le=MAX_ID)):
    household = selectors.household_get(user=request.user, pk=household_id)
    household.member_list = list(selectors.household_members(household=household))
    return household


@households_router.post(
    "", response={201: HouseholdOut, 200: HouseholdOut, **WRITE_ERRORS}, summary="Open a household"
)
def households_create(request: HttpRequest, payload: HouseholdIn):
    place = place_selectors.place_get(user=request.user, pk=payload.place)
    household, created = services.household_open(actor=request.user, place=place, request=request)
    return Status(201 if created else 200, household)
