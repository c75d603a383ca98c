"""Pages of the service desk. The catalogue is public: a resident can look up what to bring
before coming, without an account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from linli.core.forms import submit_form
from linli.core.ids import is_valid_id
from linli.core.pagination import paginate
from linli.core.workdays import UnknownCalendarYear, add_working_days
from linli.core.xlsx import xlsx_response
from linli.residents.selectors import resident_get

from . import figures, selectors, services
from .forms import (
    CaseStartForm,
    ConsultationCaseForm,
    ConsultationFilterForm,
    ConsultationForm,
    ConsultationOrderForm,
    FiguresForm,
    MatterFilterForm,
    OriginalReturnForm,
    OriginalTakeForm,
    ProxyAuthoriseForm,
    ProxyCheckForm,
    ProxyLetterForm,
    ProxyRevokeForm,
)
from .models import PROXY_ELDERLY_AGE, CaseChannel, Matter, MatterKind, ProxyStatus


@require_safe
def matter_list(request):
    form = MatterFilterForm(request.GET or None)
    filters = form.filters()
    unlisted = request.GET.get("unlisted") == "1" and request.user.has_perm(
        "servicedesk.manage_catalogue"
    )
    matters = selectors.matter_list(user=request.user, unlisted=unlisted, **filters)
    return render(
        request,
        "servicedesk/matter_list.html",
        {
            "form": form,
            "page": paginate(request, matters),
            "unlisted": unlisted,
            "kinds": MatterKind,
            "can_manage": request.user.has_perm("servicedesk.manage_catalogue"),
        },
    )


def _int_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    if not raw.isdigit() or not is_valid_id(int(raw)):
        raise Http404("Not found.")
    return int(raw)


@require_safe
def matter_detail(request, code: str):
    matter = selectors.matter_get(user=request.user, code=code)
    number = _int_param(request, "version")
    version = selectors.version_get(matter=matter, number=number)
    situation_id = _int_param(request, "situation")
    if situation_id is not None and not any(s.pk == situation_id for s in version.situations.all()):
        raise Http404("Not found.")
    now = timezone.now()
    try:
        done_by = add_working_days(now, version.promised_days) if version.promised_days else None
    except UnknownCalendarYear:
        done_by = None
    is_current = version.pk == matter.current_id
    return render(
        request,
        "servicedesk/matter_detail.html",
        {
            "matter": matter,
            "version": version,
            "is_current": is_current,
            "history": selectors.version_history(matter=matter),
            "checklist": selectors.checklist(version, situation_id),
            "situation_id": situation_id,
            "done_by": done_by,
            "can_manage": request.user.has_perm("servicedesk.manage_catalogue", matter),
            # a signed-in resident may start a case for it online
            "may_start": matter.is_active
            and is_current
            and selectors.own_resident(user=request.user) is not None,
        },
    )


# -- policy consultations (政策咨询) -------------------------------------------------------------


def _require(request, perm: str, obj=None) -> None:
    """Pages a user may not use answer as missing, so that nothing leaks."""
    if not request.user.has_perm(perm, obj):
        raise Http404("Not found.")


def consultation_form(user, data=None, initial=None) -> ConsultationForm:
    """The quick form of the counter, with the matters and the compounds the user serves."""
    return ConsultationForm(
        data,
        initial=initial,
        matters=selectors.desk_matters(),
        compounds=selectors.desk_compounds(user=user),
    )


@login_required
@require_POST
def consultation_create(request):
    """Record a consultation from the counter's quick form; back to the counter for the next."""
    _require(request, "servicedesk.record_consultation")
    form = consultation_form(request.user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        resident = data["resident"] and resident_get(user=request.user, pk=data["resident"])
        compounds = {c.pk: c for c in selectors.desk_compounds(user=request.user)}
        if data["place"] is None and len(compounds) == 1:  # the one compound the desk serves
            data["place"] = next(iter(compounds))
        matter = Matter.objects.filter(pk=data["matter"]).first() if data["matter"] else None
        consultation = submit_form(
            request,
            form,
            lambda: services.consultation_record(
                actor=request.user,
                resident=resident,
                asker=data["asker"],
                place=compounds.get(data["place"]),
                matter=matter,
                question=data["question"],
                answer=data["answer"],
                minutes=data["minutes"],
                channel=data["channel"],
                would_call_12345=data["would_call_12345"],
                request=request,
            ),
            _("The consultation is recorded."),
        )
        if consultation is not None:
            return redirect("servicedesk:desk")
    resident_id = form.cleaned_data.get("resident")
    return render(
        request,
        "servicedesk/consultation_form.html",
        {
            "form": form,
            "resident": resident_get(user=request.user, pk=resident_id) if resident_id else None,
        },
        status=400,
    )


@login_required
@require_safe
def consultation_list(request):
    """The desk's consultations, the latest first, by month and matter."""
    _require(request, "servicedesk.record_consultation")
    matters = selectors.consultation_matters(user=request.user)
    form = ConsultationFilterForm(request.GET or None, matters=matters)
    consultations = selectors.consultation_list(user=request.user, **form.filters())
    page = paginate(request, consultations)
    return render(
        request,
        "servicedesk/consultation_list.html",
        {"form": form, "page": page},
    )


def _consultation_page(request, consultation, case_form=None, order_form=None, status=200):
    from linli.workorders.models import Category

    may_convert = (
        request.user.has_perm("servicedesk.convert_consultation", consultation)
        and not consultation.case_id
        and not consultation.work_order_id
    )
    situations = ()
    if may_convert and consultation.matter_id and consultation.matter.current_id:
        situations = consultation.matter.current.situations.all()
    first_line = consultation.question.strip().splitlines()[0] if consultation.question else ""
    context = {
        "consultation": consultation,
        "may_convert": may_convert,
        "may_see_order": consultation.work_order_id is not None
        and request.user.has_perm("workorders.view_order", consultation.work_order),
        "may_open_case": may_convert
        and consultation.resident_id is not None
        and consultation.matter_id is not None
        and consultation.matter.is_active,
        "case_form": case_form or ConsultationCaseForm(situations=situations),
        "order_form": order_form
        or ConsultationOrderForm(
            categories=Category.objects.filter(is_active=True).order_by("name"),
            initial={"title": first_line[:120], "description": consultation.question},
        ),
    }
    return render(request, "servicedesk/consultation_detail.html", context, status=status)


@login_required
@require_safe
def consultation_detail(request, pk: int):
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    return _consultation_page(request, consultation)


@login_required
@require_POST
def consultation_case(request, pk: int):
    """Turn the consultation into a case (the resident who asked, the matter asked about)."""
    consultation = selectors.consultation_get(user=request.user, pk=pk)
    _require(request, "servicedesk.convert_consultation", consultation)
    situations = ()
    if consultation.matter_id and consultation.matter.current_id:
        situations = consultation.matter.current.situations.all()
    form = ConsultationCaseForm(request.POST, situations=situations)
    if form.is_valid():
        case = submit_form(
            request,
            form,
            lambda: services.consultation_to_case(
                actor=request.user,
                consultation=consultation,
                situation_id=form.cleaned_data["situation"],
                request=request,
            ),
            _("The case is opened from the consultation; tick the materials as they arrive."),
        )
        if case is not None:
            return redirect("servicedesk:case-detail", case.pk)
    for error in form.non_field_errors():
        messages.error(request, error)
    return _consultation_page(request, consultation, case_form=form, status=400)


@login_required
@require_POST
def consultation_order(request, pk: int):
    """Turn the consultation into a work order, filed as at the counter."""
    from linli.workorders.models import Category

    consultation = selectors.consultation_get(user=request.user, pk=pk)
    _require(request, "servicedesk.convert_consultation", consultation)
    form = ConsultationOrderForm(
        request.POST, categories=Category.objects.filter(is_active=True).order_by("name")
    )
    if form.is_valid():
        data = form.cleaned_data
        order = submit_form(
            request,
            form,
            lambda: services.consultation_to_order(
                actor=request.user,
                consultation=consultation,
                category=data["category"],
                title=data["title"],
                description=data["description"],
                request=request,
            ),
            _("The work order is filed from the consultation."),
        )
        if order is not None:
            return redirect("workorders:order-detail", order.pk)
    for error in form.non_field_errors():
        messages.error(request, error)
    return _consultation_page(request, consultation, order_form=form, status=400)


# -- a resident starts a case online -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def case_start(request):
    """A resident chooses a matter and their situation, and starts a case online: the desk of
    their compound sees it at the counter, and they see what to bring."""
    resident = selectors.own_resident(user=request.user)
    if resident is None or not request.user.has_perm("servicedesk.open_own_case", resident):
        raise Http404("Not found.")
    matters = selectors.desk_matters()
    data = request.POST if request.method == "POST" else request.GET
    code = data.get("matter", "")[:40]
    matter = next((m for m in matters if m.code == code), None)
    situations = list(matter.current.situations.all()) if matter else []
    if request.method == "POST":
        form = CaseStartForm(request.POST, matters=matters, situations=situations)
        if form.is_valid():
            case = submit_form(
                request,
                form,
                lambda: services.case_open(
                    actor=request.user,
                    resident=resident,
                    matter=matter,
                    situation_id=form.cleaned_data["situation"],
                    channel=CaseChannel.ONLINE,
                    request=request,
                ),
                _("Your case is started: the desk has it. Bring the materials listed below."),
            )
            if case is not None:
                return redirect("servicedesk:case-detail", case.pk)
        status = 400
    else:
        initial = {"matter": matter.code if matter else ""}
        situation = data.get("situation", "")
        if situation.isdigit() and any(s.pk == int(situation) for s in situations):
            initial["situation"] = int(situation)
        form = CaseStartForm(initial=initial, matters=matters, situations=situations)
        status = 200
    return render(
        request,
        "servicedesk/case_start.html",
        {"form": form, "matter": matter, "resident": resident},
        status=status,
    )


# -- the desk's figures (issue 15 item 7) ---------------------------------------------------------


def _figures_request(request):
    """The place (within the user's figures) and the period a figures page asks for; a
    period not given, or not valid, is the last twelve months."""
    raw = request.GET.get("place", "")
    if raw and not (raw.isdigit() and is_valid_id(int(raw))):
        raise Http404("Not found.")
    place = figures.figures_place(user=request.user, place_id=int(raw) if raw else None)
    default_start, today = figures.last_twelve_months(timezone.localdate())
    data = request.GET if "start" in request.GET or "end" in request.GET else None
    form = FiguresForm(data, initial={"start": default_start, "end": today})
    if data is not None and form.is_valid():
        return form, place, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, place, default_start, today


@login_required
@require_safe
def figures_page(request):
    """Matters handled per matter, channel, worker and month, consultations beside them, and
    the 12345 calls the desk saved set beside the compound's 12345 transfers."""
    form, place, start, end = _figures_request(request)
    query = request.GET.copy()
    query["start"], query["end"] = start.isoformat(), end.isoformat()
    return render(
        request,
        "servicedesk/figures.html",
        {
            "form": form,
            "place": place,
            "figures": figures.desk_figures(user=request.user, start=start, end=end, place=place),
            "export_query": query.urlencode(),
        },
    )


@login_required
@require_safe
def figures_download(request):
    _form, place, start, end = _figures_request(request)
    response = xlsx_response(*figures.export_filename(start, end))
    response["Cache-Control"] = "no-store"
    figures.figures_export(
        actor=request.user,
        figures=figures.desk_figures(user=request.user, start=start, end=end, place=place),
        place=place,
        out=response,
        request=request,
    )
    return response


# -- 代办 (a case handled on its resident's behalf) ------------------------------------------


def _proxy_require(request, perm: str, obj) -> None:
    """Pages a user may not use answer as missing, so that nothing leaks."""
    if not request.user.has_perm(perm, obj):
        raise Http404("Not found.")


def _proxy_page(request, proxy, *, forms_shown=None, status=200):
    """The 代办 record: who acts, why, the letter, the ID check, the custody log; the desk's
    forms for the next step (each shown again with what was typed when refused)."""
    user = request.user
    manages = user.has_perm("servicedesk.manage_proxy", proxy)
    originals = list(proxy.originals.all())
    shown = forms_shown or {}
    forms_for = {}
    if manages and proxy.status != ProxyStatus.REVOKED:
        if proxy.letter_id is None:
            forms_for["letter"] = shown.get("letter") or ProxyLetterForm()
        if proxy.status == ProxyStatus.PENDING:
            forms_for["check"] = shown.get("check") or ProxyCheckForm()
        if proxy.status == ProxyStatus.ACTIVE and proxy.case.is_open:
            forms_for["take"] = shown.get("take") or OriginalTakeForm(
                initial={"taken_from": proxy.agent_name}
            )
        forms_for["revoke"] = shown.get("revoke") or ProxyRevokeForm()
    return_forms = {}
    if manages:
        for line in originals:
            if line.in_custody:
                return_forms[line.pk] = shown.get(("return", line.pk)) or OriginalReturnForm(
                    initial={"returned_to": proxy.case.resident.name}, prefix=f"r{line.pk}"
                )
    return render(
        request,
        "servicedesk/proxy_detail.html",
        {
            "proxy": proxy,
            "case": proxy.case,
            "originals": [(line, return_forms.get(line.pk)) for line in originals],
            "in_custody": [line for line in originals if line.in_custody],
            "manages": manages,
            "forms": forms_for,
            "statuses": ProxyStatus,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def proxy_create(request, pk: int):
    """Record a 代办 on a case: who acts for the resident and why."""
    case = selectors.case_get(user=request.user, pk=pk)
    _proxy_require(request, "servicedesk.manage_proxy", case)
    form = ProxyAuthoriseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        proxy = submit_form(
            request,
            form,
            lambda: services.proxy_authorise(
                actor=request.user,
                case=case,
                agent_name=data["agent_name"],
                agent_relation=data["agent_relation"],
                agent_relation_note=data["agent_relation_note"],
                agent_id_number=data["agent_id_number"],
                agent_phone=data["agent_phone"],
                reason=data["reason"],
                reason_note=data["reason_note"],
                powers=data["powers"],
                authorised_on=data["authorised_on"],
                request=request,
            ),
            _("The 代办 is recorded. Print the letter for signing, then file its photo."),
        )
        if proxy is not None:
            return redirect("servicedesk:proxy-detail", proxy.pk)
    return render(
        request,
        "servicedesk/proxy_form.html",
        {"case": case, "form": form, "elderly_age": PROXY_ELDERLY_AGE},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def proxy_detail(request, pk: int):
    return _proxy_page(request, selectors.proxy_get(user=request.user, pk=pk))


def _proxy_post(request, pk: int):
    proxy = selectors.proxy_get(user=request.user, pk=pk)
    _proxy_require(request, "servicedesk.manage_proxy", proxy)
    return proxy


def _signature(form) -> dict:
    return {
        "signature_drawn": form.cleaned_data["signature_drawn"],
        "signature_upload": form.cleaned_data["signature_photo"],
    }


def _done_or_again(request, proxy, key, form, write, message):
    if form.is_valid() and submit_form(request, form, write, message) is not None:
        return redirect("servicedesk:proxy-detail", proxy.pk)
    proxy = selectors.proxy_get(user=request.user, pk=proxy.pk)
    return _proxy_page(request, proxy, forms_shown={key: form}, status=400)


@login_required
@require_POST
def proxy_letter(request, pk: int):
    proxy = _proxy_post(request, pk)
    form = ProxyLetterForm(request.POST, request.FILES)
    return _done_or_again(
        request,
        proxy,
        "letter",
        form,
        lambda: services.proxy_letter_attach(
            actor=request.user, proxy=proxy, upload=form.cleaned_data["photo"], request=request
        ),
        _("The signed letter is filed, encrypted."),
    )


@login_required
@require_POST
def proxy_check(request, pk: int):
    proxy = _proxy_post(request, pk)
    form = ProxyCheckForm(request.POST)
    return _done_or_again(
        request,
        proxy,
        "check",
        form,
        lambda: services.proxy_check_ids(
            actor=request.user,
            proxy=proxy,
            resident_method=form.cleaned_data["resident_method"],
            agent_method=form.cleaned_data["agent_method"],
            request=request,
        ),
        _("Both identities are checked: the 代办 is in force."),
    )


@login_required
@require_POST
def proxy_revoke(request, pk: int):
    proxy = _proxy_post(request, pk)
    form = ProxyRevokeForm(request.POST)
    return _done_or_again(
        request,
        proxy,
        "revoke",
        form,
        lambda: services.proxy_revoke(
            actor=request.user, proxy=proxy, reason=form.cleaned_data["reason"], request=request
        ),
        _("The 代办 is revoked. Originals still held are returned from this page."),
    )


@login_required
@require_POST
def proxy_original_take(request, pk: int):
    proxy = _proxy_post(request, pk)
    form = OriginalTakeForm(request.POST, request.FILES)
    return _done_or_again(
        request,
        proxy,
        "take",
        form,
        lambda: services.original_take(
            actor=request.user,
            proxy=proxy,
            document=form.cleaned_data["document"],
            count=form.cleaned_data["count"],
            taken_from=form.cleaned_data["taken_from"],
            note=form.cleaned_data["note"],
            request=request,
            **_signature(form),
        ),
        _("The original is on the custody log, signed for."),
    )


@login_required
@require_POST
def proxy_original_return(request, pk: int, line_id: int):
    proxy = _proxy_post(request, pk)
    line = selectors.custody_get(proxy=proxy, pk=line_id)
    form = OriginalReturnForm(request.POST, request.FILES, prefix=f"r{line.pk}")
    return _done_or_again(
        request,
        proxy,
        ("return", line.pk),
        form,
        lambda: services.original_return(
            actor=request.user,
            custody=line,
            returned_to=form.cleaned_data["returned_to"],
            request=request,
            **_signature(form),
        ),
        _("The original is returned, signed for."),
    )


@login_required
@require_safe
def proxy_file(request, pk: int):
    """A letter or a signature, decrypted for a reader allowed to see the 代办; each view is
    audited, and nothing is cached anywhere."""
    row = selectors.proxy_file_get(user=request.user, pk=pk)
    data = services.proxy_file_read(actor=request.user, proxy_file=row, request=request)
    response = HttpResponse(data, content_type=row.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@login_required
@require_safe
def proxy_print(request, pk: int, sheet: str):
    """The 代办委托书 (``letter``) or the 原件保管清单 (``custody``), A4, for signing; they carry
    whole ID and mobile numbers, so they are the desk's only and each print is audited."""
    proxy = selectors.proxy_get(user=request.user, pk=pk)
    _proxy_require(request, "servicedesk.manage_proxy", proxy)
    if sheet not in ("letter", "custody"):
        raise Http404("Not found.")
    services.proxy_print(actor=request.user, proxy=proxy, sheet=sheet, request=request)
    return render(
        request,
        f"servicedesk/proxy_{sheet}.html",
        {
            "proxy": proxy,
            "case": proxy.case,
            "originals": list(proxy.originals.all()),
            "blank_rows": range(max(0, 6 - len(proxy.originals.all()))),
            "today": timezone.localdate(),
        },
    )
