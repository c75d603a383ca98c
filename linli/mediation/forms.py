"""Forms of mediation's pages: they parse what was typed; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DisputeKind, MediationEndReason, Referral

PARTY_ROWS = 2  # per side


class OpenForm(forms.Form):
    place = forms.ChoiceField(label=_("compound"))
    kind = forms.ChoiceField(label=_("kind of dispute"), choices=DisputeKind.choices)
    subject = forms.CharField(
        label=_("subject"),
        max_length=100,
        help_text=_("A few words that name the dispute, without personal details."),
    )
    facts = forms.CharField(
        label=_("facts of the dispute"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    mediators = forms.MultipleChoiceField(label=_("mediators"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, places=(), mediators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = [(str(p.pk), p.name) for p in places]
        self.fields["mediators"].choices = [(str(u.pk), u.display_name) for u in mediators]
        for side in ("a", "b"):
            for row in range(PARTY_ROWS):
                required = row == 0
                prefix = f"{side}{row}"
                self.fields[f"{prefix}_name"] = forms.CharField(
                    label=_("name"), max_length=50, required=required
                )
                self.fields[f"{prefix}_phone"] = forms.CharField(
                    label=_("mobile number"),
                    max_length=20,
                    required=False,
                    help_text=_("A resident of the register is found by their number.")
                    if row == 0
                    else "",
                )
                self.fields[f"{prefix}_address"] = forms.CharField(
                    label=_("address"), max_length=200, required=False
                )
                self.fields[f"{prefix}_details"] = forms.CharField(
                    label=_("basic facts"),
                    max_length=200,
                    required=False,
                    help_text=_("E.g. gender, age, occupation (for the agreement)."),
                )

    def party_rows(self, side: str):
        """The fields of each party row of a side (for the template)."""
        return [
            [self[f"{side}{row}_{name}"] for name in ("name", "phone", "address", "details")]
            for row in range(PARTY_ROWS)
        ]

    def parties(self) -> list[dict]:
        rows = []
        for side in ("a", "b"):
            for row in range(PARTY_ROWS):
                prefix = f"{side}{row}"
                name = self.cleaned_data.get(f"{prefix}_name", "").strip()
                if not name:
                    continue
                rows.append(
                    {
                        "side": side,
                        "name": name,
                        "phone": self.cleaned_data.get(f"{prefix}_phone", "").strip(),
                        "address": self.cleaned_data.get(f"{prefix}_address", "").strip(),
                        "details": self.cleaned_data.get(f"{prefix}_details", "").strip(),
                    }
                )
        return rows


class DateInput(forms.DateInput):
    input_type = "date"


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=_("held at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    venue = forms.CharField(label=_("where"), max_length=100)
    attendees = forms.CharField(label=_("who attended"), max_length=300)
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _text(label, **kwargs):
    return forms.CharField(
        label=label, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}), **kwargs
    )


class AgreementForm(forms.Form):
    agreed_on = forms.DateField(label=_("agreement signed on"), widget=DateInput)
    facts = _text(_("main facts of the dispute"))
    matters = _text(_("disputed matters and each side's responsibility"))
    terms = _text(_("terms agreed"))
    method = _text(_("how the terms are carried out"))
    due = forms.DateField(label=_("carried out by"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"agreed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class FailForm(forms.Form):
    failed_on = forms.DateField(label=_("ended without agreement on"), widget=DateInput)
    reason = forms.ChoiceField(
        label=_("why the mediation ended"),
        choices=MediationEndReason.choices,
        initial=MediationEndReason.NO_AGREEMENT,
    )
    referral = forms.ChoiceField(label=_("referred to"), choices=Referral.choices)
    note = _text(_("referral note"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"failed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label=_("follow-up visit on"), widget=DateInput)
    carried_out = forms.TypedChoiceField(
        label=_("was the agreement carried out?"),
        choices=[("yes", _("yes, carried out")), ("no", _("no, not carried out"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = _text(_("follow-up note"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"visited_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("why is it withdrawn?"), max_length=500)


STEP_FORMS = {
    "session": SessionForm,
    "agree": AgreementForm,
    "fail": FailForm,
    "follow_up": FollowUpForm,
    "withdraw": WithdrawForm,
}
