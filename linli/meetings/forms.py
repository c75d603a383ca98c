"""Forms of the deliberation meeting's pages. They shape input; the services judge it.
Choices that many forms on one page share (organisations, people, categories, places) are
read once and handed in as lists, so a long agenda costs no extra queries."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.core.forms import DateInput
from linli.core.ids import MAX_ID


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class ObjectChoiceField(forms.TypedChoiceField):
    """A choice among objects read beforehand: cleans to the object itself."""

    def __init__(self, *, objects, label_of=str, empty_label="—", **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        choices = [("", empty_label)] + [(str(o.pk), label_of(o)) for o in objects]
        super().__init__(choices=choices, coerce=self.objects.get, empty_value=None, **kwargs)


class EmptyForm(forms.Form):
    pass


class ActionForm(forms.Form):
    """What every POST to a meeting names: the action, and the agenda item it is about."""

    action = forms.CharField(max_length=32)
    item = IdField(required=False)


class ExtraMeetingForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120, required=False)
    start = forms.DateTimeField(
        label=_("starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=_("ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    venue = forms.CharField(label=_("room"), max_length=100, required=False)


class ParticipantForm(forms.Form):
    role = forms.CharField(label=_("role at the meeting"), max_length=100)
    name = forms.CharField(label=_("name"), max_length=100, required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = ObjectChoiceField(
            label=_("organisation"), objects=organisations, required=False
        )


class TopicForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    description = forms.CharField(
        label=_("background"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("notes (participants only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CarryForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=500)


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("summary for residents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the decisions; no private matters here."),
    )


class DoneForm(forms.Form):
    decision = IdField()
    note = forms.CharField(label=_("how it was done"), widget=forms.Textarea(attrs={"rows": 2}))


ORDER_REF = re.compile(r"^\d{1,19}$")


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("decision"), widget=forms.Textarea(attrs={"rows": 3}))
    votes_for = forms.IntegerField(label=_("for"), required=False, min_value=0, max_value=999)
    votes_against = forms.IntegerField(
        label=_("against"), required=False, min_value=0, max_value=999
    )
    votes_abstain = forms.IntegerField(
        label=_("abstain"), required=False, min_value=0, max_value=999
    )
    due_date = forms.DateField(label=_("due by"), required=False, widget=DateInput())
    create_order = forms.BooleanField(label=_("create a work order"), required=False)
    order_title = forms.CharField(
        label=_("title of the work order"), max_length=120, required=False
    )
    link_orders = forms.CharField(
        label=_("link existing orders"),
        required=False,
        max_length=500,
        help_text=_("Order numbers or ids, separated by spaces or commas."),
    )

    def __init__(self, *args, organisations, people, categories, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"] = ObjectChoiceField(
            label=_("responsible organisation"), objects=organisations, required=False
        )
        self.fields["responsible_user"] = ObjectChoiceField(
            label=_("responsible person"),
            objects=people,
            label_of=lambda u: u.display_name,
            required=False,
        )
        self.fields["category"] = ObjectChoiceField(
            label=_("category of the work order"), objects=categories, required=False
        )
        self.fields["order_place"] = ObjectChoiceField(
            label=_("where"), objects=places, label_of=lambda p: p.name_path, required=False
        )
        self.order_fields(
            [
                "text",
                "votes_for",
                "votes_against",
                "votes_abstain",
                "responsible_organisation",
                "responsible_user",
                "due_date",
                "create_order",
                "category",
                "order_place",
                "order_title",
                "link_orders",
            ]
        )

    def clean_link_orders(self) -> list[int]:
        """Order numbers (year and seven digits, as printed) or plain ids, as ids."""
        ids = []
        for token in re.split(r"[\s,，、]+", self.cleaned_data["link_orders"].strip()):
            if not token:
                continue
            if not ORDER_REF.match(token):
                raise forms.ValidationError(
                    _("“%(token)s” is not an order number.") % {"token": token}
                )
            number = int(token[4:]) if len(token) == 11 else int(token)
            if not 0 < number <= MAX_ID:
                raise forms.ValidationError(
                    _("“%(token)s” is not an order number.") % {"token": token}
                )
            ids.append(number)
        return ids

    def clean(self):
        data = super().clean()
        if data.get("create_order"):
            if not data.get("category"):
                self.add_error("category", _("Choose the category of the work order."))
            if not (data.get("order_title") or "").strip():
                self.add_error("order_title", _("Give the work order a title."))
        return data

    def new_order(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("create_order"):
            return None
        return {
            "category": data["category"],
            "title": data["order_title"],
            "place": data.get("order_place"),
        }


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("your proposal"), max_length=120)
    description = forms.CharField(
        label=_("why it matters"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        if len(compounds) > 1:
            self.fields["compound"] = ObjectChoiceField(
                label=_("compound"), objects=compounds, label_of=lambda p: p.name
            )
        self.compounds = compounds

    def compound(self):
        return self.cleaned_data.get("compound") or self.compounds[0]


def attendance_marks(data, rows) -> tuple[dict[int, tuple[str, str]], list[tuple[str, str]]]:
    """Read the attendance form: ``status_<row>`` and ``proxy_<row>`` for each row, and a
    guest's name and role. Rows not posted are left as they are."""
    marks = {}
    for row in rows:
        status = data.get(f"status_{row.pk}")
        if status is None:
            continue
        marks[row.pk] = (status, data.get(f"proxy_{row.pk}", "")[:100])
    guests = [(data.get("guest_name", "")[:100], data.get("guest_role", "")[:100])]
    return marks, guests
