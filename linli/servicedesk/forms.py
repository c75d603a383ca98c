from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.forms import DateInput
from linli.core.ids import MAX_ID

from .models import (
    CaseChannel,
    MatterKind,
    ProxyIdMethod,
    ProxyReason,
    ProxyRelation,
)
from .selectors import MAX_QUERY


class MatterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("e.g. 低保, 居住证明, 养老"),
                "type": "search",
                "aria-label": _("Search"),
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("kind"),
        required=False,
        choices=[("", _("all kinds")), *MatterKind.choices],
        widget=forms.Select(attrs={"aria-label": _("kind")}),
    )

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {"q": self.cleaned_data["q"], "kind": self.cleaned_data["kind"]}


# -- policy consultations (政策咨询) -------------------------------------------------------------

CONSULTATION_CHANNEL_CHOICES = [
    (c.value, c.label) for c in (CaseChannel.COUNTER, CaseChannel.PHONE, CaseChannel.HOME_VISIT)
]


def _matter_choices(matters, empty):
    return [("", empty), *((m.pk, m.current.display_name) for m in matters)]


class ConsultationForm(forms.Form):
    """The counter's quick form: who asked, about what, the answer, the minutes it took."""

    resident = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput
    )
    asker = forms.CharField(
        label=_("who asked"),
        required=False,
        max_length=60,
        help_text=_("A name, when the asker is not found in the register."),
    )
    place = forms.TypedChoiceField(
        label=_("compound"), coerce=int, empty_value=None, required=False, choices=()
    )
    matter = forms.TypedChoiceField(
        label=_("matter"), coerce=int, empty_value=None, required=False, choices=()
    )
    channel = forms.ChoiceField(
        label=_("channel"), choices=CONSULTATION_CHANNEL_CHOICES, initial=CaseChannel.COUNTER
    )
    question = forms.CharField(
        label=_("question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    answer = forms.CharField(
        label=_("answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.IntegerField(label=_("minutes taken"), min_value=1, max_value=600, initial=5)
    would_call_12345 = forms.BooleanField(
        label=_("would otherwise have called 12345"), required=False
    )

    def __init__(self, *args, matters=(), compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = _matter_choices(matters, _("no particular matter"))
        compounds = list(compounds)
        self.fields["place"].choices = [(c.pk, c.name) for c in compounds]
        if len(compounds) <= 1:
            self.fields["place"].widget = forms.HiddenInput()
            if compounds:
                self.fields["place"].initial = compounds[0].pk


class ConsultationFilterForm(forms.Form):
    month = forms.DateField(
        label=_("month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(format="%Y-%m", attrs={"type": "month"}),
    )
    matter = forms.TypedChoiceField(
        label=_("matter"), coerce=int, empty_value=None, required=False, choices=()
    )

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = _matter_choices(matters, _("all matters"))

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {}
        return {"month": self.cleaned_data["month"], "matter": self.cleaned_data["matter"]}


class ConsultationCaseForm(forms.Form):
    situation = forms.TypedChoiceField(
        label=_("situation"), required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args, situations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situation"].choices = [
            ("", _("none of these")),
            *((s.pk, s.name) for s in situations),
        ]


class ConsultationOrderForm(forms.Form):
    category = forms.ModelChoiceField(label=_("category"), queryset=None)
    title = forms.CharField(label=_("title"), max_length=120)
    description = forms.CharField(
        label=_("description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by whoever handles the work order: leave out what they need not know."),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


# -- a resident starts a case online -------------------------------------------------------------


class CaseStartForm(forms.Form):
    matter = forms.ChoiceField(label=_("matter"), choices=())
    situation = forms.TypedChoiceField(
        label=_("Your situation"), required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args, matters=(), situations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = [(m.code, m.current.display_name) for m in matters]
        self.fields["situation"].choices = [
            ("", _("none of these")),
            *((s.pk, s.name) for s in situations),
        ]


# -- the desk's figures --------------------------------------------------------------------------


class FiguresForm(forms.Form):
    """The period the figures cover (both days included)."""

    start = forms.DateField(label=_("from"), widget=DateInput())
    end = forms.DateField(label=_("until"), widget=DateInput())

    def clean(self):
        from .figures import MAX_FIGURES_DAYS

        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date must not be before the start date."))
            if (end - start).days >= MAX_FIGURES_DAYS:
                raise forms.ValidationError(
                    _("The figures cover at most %(days)s days.") % {"days": MAX_FIGURES_DAYS}
                )
        return data


# -- 代办 -------------------------------------------------------------------------------------


class ProxyAuthoriseForm(forms.Form):
    """Who acts for the resident, and why (the service checks that the resident qualifies)."""

    agent_name = forms.CharField(label=_("agent's name"), max_length=60)
    agent_relation = forms.ChoiceField(
        label=_("relation to the resident"), choices=ProxyRelation.choices
    )
    agent_relation_note = forms.CharField(
        label=_("relation, in words"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 儿子, 对门邻居")}),
    )
    agent_id_number = forms.CharField(
        label=_("agent's ID number"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("Kept encrypted; shown masked."),
    )
    agent_phone = forms.CharField(
        label=_("agent's mobile number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    reason = forms.ChoiceField(
        label=_("why the resident cannot come themselves"),
        choices=ProxyReason.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Elderly (60 or over), disabled and living alone are read from the register; "
            "for another reason, say it below."
        ),
    )
    reason_note = forms.CharField(
        label=_("the reason, in words"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept encrypted."),
    )
    powers = forms.CharField(
        label=_("what the agent may do"),
        max_length=300,
        required=False,
        help_text=_("As the letter will say; empty: 递交申请材料、签字确认、领取办理结果."),
    )
    authorised_on = forms.DateField(
        label=_("authorised on"),
        required=False,
        widget=DateInput(),
        help_text=_("The day on the signed letter; empty: today."),
    )


class ProxyLetterForm(forms.Form):
    photo = forms.ImageField(
        label=_("photo of the signed authorisation letter"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class ProxyCheckForm(forms.Form):
    resident_method = forms.ChoiceField(
        label=_("how the resident's identity was checked"), choices=ProxyIdMethod.choices
    )
    agent_method = forms.ChoiceField(
        label=_("how the agent's identity was checked"),
        choices=[(v, label) for v, label in ProxyIdMethod.choices if v != ProxyIdMethod.IN_PERSON],
    )


class ProxyRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("why it is revoked"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SignatureForm(forms.Form):
    """A signature drawn on the screen (the pad posts a PNG as a data URL), or else a photo
    of the signed custody sheet."""

    signature_drawn = forms.CharField(
        required=False, max_length=3_000_000, widget=forms.HiddenInput
    )
    signature_photo = forms.ImageField(
        label=_("or a photo of the signed custody sheet"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )


class OriginalTakeForm(SignatureForm):
    document = forms.CharField(label=_("original document"), max_length=160)
    count = forms.IntegerField(label=_("how many"), min_value=1, max_value=20, initial=1)
    taken_from = forms.CharField(label=_("taken from"), max_length=60)
    note = forms.CharField(
        label=_("note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["document", "count", "taken_from", "note"]


class OriginalReturnForm(SignatureForm):
    returned_to = forms.CharField(label=_("returned to"), max_length=60)
    field_order = ["returned_to"]
