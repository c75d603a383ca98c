"""The one-stop service desk (全岗通, SPEC 3.6). This module holds its catalogue of matters
(事项): what a resident can get done, who decides it, in how many working days, and what to
bring in each situation.

A matter is versioned: its identity (code, kind, whose catalogue) stays, and each revision
is a new ``MatterVersion`` with its own situations and materials. A published version never
changes, so a case started under it keeps the checklist it began with."""

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from linli.core.crypto import EncryptedTextField, mask_id_number, mask_phone
from linli.core.models import TimelineEvent

# The longest time limit a matter may promise or the law may set, in working days.
MAX_LIMIT_DAYS = 365


class MatterKind(models.TextChoices):
    """The kinds of government-service matter, with the letters their codes carry (as in the
    catalogues that follow GB/T 39554.1)."""

    LICENSING = "XK", _("administrative licensing")
    CONFIRMATION = "QR", _("administrative confirmation")
    BENEFIT = "JF", _("administrative benefit")
    REWARD = "JL", _("administrative reward")
    RULING = "CJ", _("administrative ruling")
    OTHER_POWER = "QT", _("other administrative power")
    PUBLIC_SERVICE = "GG", _("public service")


class Handling(models.TextChoices):
    LOCAL = "local", _("handled at the desk")
    FORWARD = "forward", _("received here, forwarded for decision")


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("original")
    COPY = "copy", _("copy")
    BOTH = "both", _("original and copy")


class Matter(models.Model):
    """A matter's identity: its code and whose catalogue it belongs to. What it asks for is
    in its versions; ``current`` is the one a new case starts under."""

    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("catalogue of"),
        on_delete=models.PROTECT,
        related_name="matters",
        help_text=_("The district or street whose catalogue lists the matter."),
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9A-Z]{1,24}-[A-Z]{2}-[0-9]{4}$",
                _("A code reads like 140213-JF-0001: the catalogue's prefix, the kind, a number."),
            )
        ],
    )
    kind = models.CharField(_("kind"), max_length=2, choices=MatterKind.choices)
    current = models.OneToOneField(
        "MatterVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    is_active = models.BooleanField(_("in the catalogue"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")

    def __str__(self) -> str:
        return f"{self.code} {self.current.name if self.current_id else ''}".strip()


class MatterVersion(models.Model):
    """One revision of a matter, as it was published. Never changed once written."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=160, blank=True)
    summary = models.TextField(
        _("who it is for"), blank=True, help_text=_("Who may apply, and on what conditions.")
    )
    department = models.CharField(_("responsible department"), max_length=120)
    implementing_body = models.CharField(_("implementing body"), max_length=120)
    legal_basis = models.TextField(_("legal basis"))
    statutory_days = models.PositiveSmallIntegerField(
        _("statutory time limit (working days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_LIMIT_DAYS)],
        help_text=_("Leave empty where no law sets one."),
    )
    promised_days = models.PositiveSmallIntegerField(
        _("promised time limit (working days)"),
        validators=[MaxValueValidator(MAX_LIMIT_DAYS)],
        help_text=_("0: done on the spot."),
    )
    fee = models.CharField(
        _("fees"), max_length=200, blank=True, help_text=_("Leave empty when it is free.")
    )
    handling = models.CharField(
        _("handling"), max_length=8, choices=Handling.choices, default=Handling.LOCAL
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["matter", "-number"]
        verbose_name = _("matter version")
        verbose_name_plural = _("matter versions")
        constraints = [
            models.UniqueConstraint(fields=["matter", "number"], name="matter_version_unique"),
            models.CheckConstraint(
                condition=Q(statutory_days__isnull=True)
                | Q(promised_days__lte=F("statutory_days")),
                name="matter_promise_within_statute",
                violation_error_message=_(
                    "The promised time limit cannot be longer than the law's."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    @property
    def display_name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class Situation(models.Model):
    """A case the matter distinguishes (e.g. a family with a disabled member), each with the
    materials it needs besides those every applicant brings."""

    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="situations")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("situation"), max_length=120)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="situation_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Material(models.Model):
    """A material to bring: original or copy, how many copies, and in which situations (none
    chosen: every applicant brings it)."""

    version = models.ForeignKey(MatterVersion, on_delete=models.CASCADE, related_name="materials")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("material"), max_length=160)
    form = models.CharField(
        _("original or copy"), max_length=8, choices=MaterialForm.choices, default=MaterialForm.COPY
    )
    copies = models.PositiveSmallIntegerField(
        _("copies"), default=1, validators=[MaxValueValidator(20)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    situations = models.ManyToManyField(
        Situation, blank=True, related_name="materials", verbose_name=_("only in these situations")
    )

    class Meta:
        ordering = ["version", "position", "id"]

    def __str__(self) -> str:
        return self.name


# -- cases (办件) --------------------------------------------------------------------------------


class CaseChannel(models.TextChoices):
    COUNTER = "counter", _("at the counter")
    PHONE = "phone", _("by phone")
    HOME_VISIT = "home_visit", _("on a home visit")
    ONLINE = "online", _("online")


class CaseStatus(models.TextChoices):
    CONSULTED = "consulted", _("consulted")
    # The value is short: a timeline event keeps statuses in 16 characters.
    MATERIALS_INCOMPLETE = "incomplete", _("materials incomplete")
    ACCEPTED = "accepted", pgettext_lazy("case", "accepted")
    FORWARDED = "forwarded", _("forwarded")
    APPROVED = "approved", pgettext_lazy("case", "approved")
    REFUSED = "refused", pgettext_lazy("case", "refused")
    DONE = "done", pgettext_lazy("case", "done")
    WITHDRAWN = "withdrawn", pgettext_lazy("case", "withdrawn")


class CaseRating(models.TextChoices):
    """The five levels of the government-service 好差评 (国办发〔2019〕51号)."""

    VERY_SATISFIED = "very_satisfied", _("very satisfied")
    SATISFIED = "satisfied", _("satisfied")
    FAIRLY = "fairly", _("fairly satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")
    VERY_DISSATISFIED = "very_dissatisfied", _("very dissatisfied")


# A 差评 says what went wrong: the desk checks it and puts it right.
LOW_RATINGS = frozenset({CaseRating.DISSATISFIED, CaseRating.VERY_DISSATISFIED})


OPEN_CASE_STATUSES = frozenset(
    {
        CaseStatus.CONSULTED,
        CaseStatus.MATERIALS_INCOMPLETE,
        CaseStatus.ACCEPTED,
        CaseStatus.FORWARDED,
    }
)
# Until a case is accepted its checklist is ticked as materials arrive; then it is kept.
CHECKLIST_OPEN_STATUSES = frozenset({CaseStatus.CONSULTED, CaseStatus.MATERIALS_INCOMPLETE})


class Case(models.Model):
    """A case (办件): a resident's matter at the desk, under the version of the matter in force
    when it was opened (its checklist stays as it was when the catalogue changes). Notes and
    reasons about the resident are encrypted at rest."""

    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # The compound the resident's household is in: whose desk serves the case (scope).
    place = models.ForeignKey(
        "places.Place", verbose_name=_("compound"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        MatterVersion, verbose_name=_("matter"), on_delete=models.PROTECT, related_name="cases"
    )
    situation = models.ForeignKey(
        Situation,
        verbose_name=_("situation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=CaseChannel.choices, default=CaseChannel.COUNTER
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CaseStatus.choices,
        default=CaseStatus.CONSULTED,
        db_index=True,
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True, db_index=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=120, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    answer = EncryptedTextField(_("the department's answer"), blank=True, default="")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    refusal_reason = EncryptedTextField(_("reason for the refusal"), blank=True, default="")
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True, default="")
    # The resident's 好差评 once the case is done (once); the comment is theirs, encrypted.
    rating = models.CharField(
        _("rating"), max_length=20, choices=CaseRating.choices, blank=True, default=""
    )
    rating_comment = EncryptedTextField(_("what the resident said"), blank=True, default="")
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    # The resident said they would otherwise have called 12345 about it (the seed: "12345
    # work orders fell sharply"); the figures set these beside the compound's transfers.
    would_call_12345 = models.BooleanField(_("would otherwise have called 12345"), default=False)
    # The deadline reminders the desk was sent (each claimed once by the reminder job): the
    # due date it was told of, and when it was told the case is overdue.
    due_reminded_on = models.DateField(null=True, blank=True, editable=False)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["place", "status"], name="case_place_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The number shown to people (on the receipt): the year opened and the id."""
        if not (self.created_at and self.pk):
            return ""
        return f"BJ{timezone.localtime(self.created_at):%Y}{self.pk:07d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Accepted and not decided by its due date."""
        return (
            self.status in (CaseStatus.ACCEPTED, CaseStatus.FORWARDED)
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )

    @property
    def audit_place_path(self) -> str:
        return self.place.path


class CaseMaterial(models.Model):
    """One line of a case's checklist, copied from the version's material when the case was
    opened, ticked when it arrives."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="materials")
    source = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("material"), max_length=160)
    form = models.CharField(_("original or copy"), max_length=8, choices=MaterialForm.choices)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    guidance = models.CharField(_("what the catalogue says"), max_length=300, blank=True)
    received = models.BooleanField(_("received"), default=False)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(_("note"), blank=True, default="")

    class Meta:
        ordering = ["case", "position", "id"]
        verbose_name = _("case material")
        verbose_name_plural = _("case materials")

    def __str__(self) -> str:
        return self.name


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("case opened")
    MATERIAL_RECEIVED = "received", _("material received")
    MATERIAL_UNTICKED = "unticked", _("material unticked")
    MISSING_TOLD = "missing", _("told what is missing (一次告知)")
    ACCEPTED = "accepted", _("accepted")
    FORWARDED = "forwarded", _("forwarded to the department")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    DONE = "done", _("result handed over")
    WITHDRAWN = "withdrawn", _("withdrawn")
    RATED = "rated", _("rated by the resident")
    REMINDED = "reminded", _("the desk reminded of the deadline")
    # 代办: the authorisation's steps and the custody of originals (values of 16 at most).
    PROXY_AUTHORISED = "proxy_authorised", _("代办 authorised")
    PROXY_LETTER = "proxy_letter", _("signed authorisation letter filed")
    PROXY_ID_CHECKED = "proxy_id_checked", _("IDs checked for the 代办")
    PROXY_REVOKED = "proxy_revoked", _("代办 revoked")
    ORIGINAL_TAKEN = "original_taken", _("original taken into custody")
    ORIGINAL_RETURNED = "original_return", _("original returned")


class CaseEvent(TimelineEvent):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=CaseEventKind.choices)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")


# -- policy consultations (政策咨询) -------------------------------------------------------------


class Consultation(models.Model):
    """A quick case: a question answered at the desk, with the matter it was about and the
    minutes it took. It counts in the figures, and may turn into a case or a work order.
    The question and the answer may say things about the asker: encrypted at rest."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("compound"), on_delete=models.PROTECT, related_name="+"
    )
    # Whoever asked: a resident in the register, or a passer-by named only as they wish.
    resident = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    asker = models.CharField(_("who asked"), max_length=60, blank=True)
    channel = models.CharField(
        _("channel"), max_length=12, choices=CaseChannel.choices, default=CaseChannel.COUNTER
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("matter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    question = EncryptedTextField(_("question"))
    answer = EncryptedTextField(_("answer"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes taken"), default=5, validators=[MaxValueValidator(600)]
    )
    would_call_12345 = models.BooleanField(_("would otherwise have called 12345"), default=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now, db_index=True)
    # What it turned into, if anything (one of the two).
    case = models.OneToOneField(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation",
    )
    work_order = models.OneToOneField(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [models.Index(fields=["place", "answered_at"], name="consultation_place_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=True) | Q(work_order__isnull=True),
                name="consultation_one_outcome",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        if not (self.answered_at and self.pk):
            return ""
        return f"ZX{timezone.localtime(self.answered_at):%Y}{self.pk:07d}"

    @property
    def audit_place_path(self) -> str:
        return self.place.path


# -- 代办 (handling a case on a resident's behalf) ---------------------------------------------

# 《中华人民共和国老年人权益保障法》第二条: an elderly person is a citizen of sixty or more.
PROXY_ELDERLY_AGE = 60


class ProxyReason(models.TextChoices):
    ELDERLY = "elderly", _("elderly (60 or over)")
    DISABLED = "disabled", _("disabled")
    LIVES_ALONE = "lives_alone", _("lives alone")
    BEDRIDDEN = "bedridden", _("bedridden or housebound")
    OTHER = "other", _("another reason (stated)")


class ProxyRelation(models.TextChoices):
    DESK_WORKER = "desk_worker", _("desk worker (全岗通)")
    RELATIVE = "relative", _("relative")
    NEIGHBOUR = "neighbour", _("neighbour")
    VOLUNTEER = "volunteer", _("volunteer")
    OTHER = "other", _("other")


class ProxyIdMethod(models.TextChoices):
    """How an identity was checked for a 代办."""

    ID_CARD = "id_card", _("original ID card seen")
    CARD_READER = "card_reader", _("ID card read by the card reader")
    HOUSEHOLD_REGISTER = "hukou", _("household register (户口簿) seen")
    IN_PERSON = "in_person", _("known in person, checked on a home visit")
    OTHER_DOCUMENT = "other", _("another official document seen")


class ProxyStatus(models.TextChoices):
    PENDING = "pending", _("authorised, IDs not checked yet")
    ACTIVE = "active", _("in force")
    REVOKED = "revoked", _("revoked")


class ProxyFileKind(models.TextChoices):
    LETTER = "letter", _("signed authorisation letter")
    TAKEN_SIGNATURE = "taken_sig", _("signature for an original taken")
    RETURNED_SIGNATURE = "returned_sig", _("signature for an original returned")


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", _("signed on the screen")
    PHOTO = "photo", _("photo of the signed paper")


class ProxyAuthorisation(models.Model):
    """A 代办委托: who acts for the case's resident, why, the signed letter, the ID check,
    and, once revoked, why. One in force per case (a revoked one stays on record and a new
    agent may be authorised). The agent's ID and mobile numbers are encrypted at rest and
    shown masked; the worker's stated reason and the revocation's are encrypted too."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="proxies"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProxyStatus.choices, default=ProxyStatus.PENDING
    )
    agent_name = models.CharField(_("agent's name"), max_length=60)
    agent_relation = models.CharField(
        _("relation to the resident"), max_length=16, choices=ProxyRelation.choices
    )
    agent_relation_note = models.CharField(
        _("relation, in words"), max_length=60, blank=True, help_text=_("e.g. 儿子, 对门邻居")
    )
    agent_id_number = EncryptedTextField(_("agent's ID number"))
    agent_phone = EncryptedTextField(_("agent's mobile number"), blank=True, default="")
    reason = models.CharField(_("why"), max_length=16, choices=ProxyReason.choices)
    reason_note = EncryptedTextField(_("the reason, in words"), blank=True, default="")
    powers = models.CharField(
        _("what the agent may do"),
        max_length=300,
        help_text=_("As the letter says, e.g. 递交材料、签字确认、领取办理结果."),
    )
    authorised_on = models.DateField(_("authorised on"))
    letter = models.OneToOneField(
        "ProxyFile",
        verbose_name=_("signed authorisation letter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    id_checked_at = models.DateTimeField(_("IDs checked"), null=True, blank=True)
    id_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resident_id_method = models.CharField(
        _("how the resident's identity was checked"),
        max_length=12,
        choices=ProxyIdMethod.choices,
        blank=True,
    )
    agent_id_method = models.CharField(
        _("how the agent's identity was checked"),
        max_length=12,
        choices=ProxyIdMethod.choices,
        blank=True,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = EncryptedTextField(_("why it was revoked"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "-created_at", "-id"]
        verbose_name = _("代办 authorisation")
        verbose_name_plural = _("代办 authorisations")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=~Q(status="revoked"),
                name="proxy_one_in_force_per_case",
                violation_error_message=_("This case already has a 代办 in force."),
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        if not (self.created_at and self.pk):
            return ""
        return f"DB{timezone.localtime(self.created_at):%Y}{self.pk:07d}"

    @property
    def ended_with_case(self) -> bool:
        """In force until its case was closed: the letter says that it ends then."""
        return self.status == ProxyStatus.ACTIVE and not self.case.is_open

    @property
    def agent_id_number_masked(self) -> str:
        return mask_id_number(self.agent_id_number)

    @property
    def agent_phone_masked(self) -> str:
        return mask_phone(self.agent_phone)

    @property
    def audit_place_path(self) -> str:
        return self.case.place.path


class ProxyFile(models.Model):
    """A file of a 代办 (the signed letter, a custody signature): cleaned of metadata as an
    image, then stored encrypted at rest under a random name; served only through a
    permission-checked view that decrypts it, each view audited. Never changed."""

    proxy = models.ForeignKey(ProxyAuthorisation, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(_("kind"), max_length=12, choices=ProxyFileKind.choices)
    method = models.CharField(
        _("how it was signed"),
        max_length=8,
        choices=SignatureMethod.choices,
        default=SignatureMethod.PHOTO,
    )
    file = models.FileField(upload_to="servicedesk/proxy/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proxy", "created_at", "id"]
        verbose_name = _("代办 file")
        verbose_name_plural = _("代办 files")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def audit_place_path(self) -> str:
        return self.proxy.case.place.path


class OriginalCustody(models.Model):
    """One line of the custody log of originals (原件保管): an original taken from the agent
    or the resident, when, by whom, signed for; and its return, once, to whom, signed for.
    Lines are never edited: a line is written when the original is taken and completed once
    when it goes back."""

    proxy = models.ForeignKey(
        ProxyAuthorisation, on_delete=models.PROTECT, related_name="originals"
    )
    material = models.ForeignKey(
        CaseMaterial,
        verbose_name=_("line of the checklist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="custody",
    )
    document = models.CharField(_("original document"), max_length=160)
    count = models.PositiveSmallIntegerField(
        _("how many"), default=1, validators=[MaxValueValidator(20)]
    )
    taken_from = models.CharField(_("taken from"), max_length=60)
    taken_at = models.DateTimeField(_("taken"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    taken_signature = models.OneToOneField(
        ProxyFile, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed for")
    )
    note = EncryptedTextField(_("note"), blank=True, default="")
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_to = models.CharField(_("returned to"), max_length=60, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returned_signature = models.OneToOneField(
        ProxyFile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed for on return"),
    )

    class Meta:
        ordering = ["proxy", "taken_at", "id"]
        verbose_name = _("original in custody")
        verbose_name_plural = _("originals in custody")
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True, returned_signature__isnull=True)
                | Q(returned_at__isnull=False, returned_signature__isnull=False),
                name="custody_return_signed",
            )
        ]

    def __str__(self) -> str:
        return self.document

    @property
    def in_custody(self) -> bool:
        return self.returned_at is None

    @property
    def audit_place_path(self) -> str:
        return self.proxy.case.place.path
