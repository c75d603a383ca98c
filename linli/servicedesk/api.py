"""/api/v1/servicedesk: the catalogue of matters — what the desk handles, its time limits in
working days, and what to bring in each situation — with every published version."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from linli.api.pagination import Pagination
from linli.api.schemas import LIST_ERRORS, MAX_ID, READ_ERRORS, PlaceRef, Text

from . import selectors
from .models import Handling, MaterialForm, MatterKind

router = Router(tags=["servicedesk"])

CODE_PATTERN = r"^[0-9A-Z]{1,24}-[A-Z]{2}-[0-9]{4}$"


class MatterOut(Schema):
    code: str = Field(..., description="GB/T 39554.1 style: the catalogue's prefix, kind, number")
    kind: MatterKind
    place: PlaceRef = Field(..., description="The district or street whose catalogue it is")
    listed: bool = Field(..., alias="is_active", description="In the catalogue")
    version: int = Field(..., alias="current.number", description="The version in force")
    name: str = Field(..., alias="current.name")
    name_en: str = Field(..., alias="current.name_en")
    department: str = Field(..., alias="current.department")
    promised_days: int = Field(
        ..., alias="current.promised_days", description="Working days; 0: on the spot"
    )
    handling: Handling = Field(..., alias="current.handling")


class SituationOut(Schema):
    id: int
    name: str


class MaterialOut(Schema):
    name: str
    form: MaterialForm
    copies: int
    note: str
    situations: list[int] = Field(
        ..., description="Ids of the situations it is needed in; empty: every applicant"
    )

    @staticmethod
    def resolve_situations(material):
        return [s.pk for s in material.situations.all()]


class VersionRef(Schema):
    number: int
    published_at: datetime
    change_note: str


class MatterDetailOut(Schema):
    code: str
    kind: MatterKind
    place: PlaceRef
    listed: bool
    number: int = Field(..., description="This version")
    current: bool = Field(..., description="Whether this version is the one in force")
    name: str
    name_en: str
    summary: str
    department: str
    implementing_body: str
    legal_basis: str
    statutory_days: int | None = Field(..., description="Working days; null: no law sets one")
    promised_days: int = Field(..., description="Working days; 0: on the spot")
    fee: str = Field(..., description="Empty: free of charge")
    handling: Handling
    published_at: datetime
    change_note: str
    situations: list[SituationOut]
    materials: list[MaterialOut]
    versions: list[VersionRef]


class MatterFilters(Schema):
    q: Text(60) = Field("", description="Part of the name, code or department")
    kind: MatterKind | None = None


@router.get("/matters", response={200: list[MatterOut], **LIST_ERRORS}, summary="The catalogue")
@paginate(Pagination)
def matters_list(request: HttpRequest, filters: Query[MatterFilters]):
    return selectors.matter_list(user=request.user, q=filters.q, kind=filters.kind or "")


@router.get(
    "/matters/{code}",
    response={200: MatterDetailOut, **READ_ERRORS},
    summary="One matter: what to bring, in the version in force or an earlier one",
)
def matters_get(
    request: HttpRequest,
    code: str = Path(..., max_length=40, pattern=CODE_PATTERN),
    version: int | None = Query(None, ge=1, le=MAX_ID, description="An earlier version"),
):
    matter = selectors.matter_get(user=request.user, code=code)
    shown = selectors.version_get(matter=matter, number=version)
    return {
        "code": matter.code,
        "kind": matter.kind,
        "place": matter.place,
        "listed": matter.is_active,
        "number": shown.number,
        "current": shown.pk == matter.current_id,
        **{
            name: getattr(shown, name)
            for name in (
                "name",
                "name_en",
                "summary",
                "department",
                "implementing_body",
                "legal_basis",
                "statutory_days",
                "promised_days",
                "fee",
                "handling",
                "published_at",
                "change_note",
            )
        },
        "situations": list(shown.situations.all()),
        "materials": list(shown.materials.all()),
        "versions": selectors.version_history(matter=matter),
    }
