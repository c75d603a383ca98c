"""Forms of the lending pages. They shape input; the services judge it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.forms import DateInput

from .models import MAX_LOAN_DAYS, Category, Condition


class ObjectChoiceField(forms.TypedChoiceField):
    """A choice among objects read beforehand: cleans to the object itself."""

    def __init__(self, *, objects, label_of=str, empty_label="—", **kwargs):
        self.objects = {str(o.pk): o for o in objects}
        choices = [("", empty_label)] + [(str(o.pk), label_of(o)) for o in objects]
        super().__init__(choices=choices, coerce=self.objects.get, empty_value=None, **kwargs)


NO_ACCOUNT = _("There is no account with this user name.")


def _account(user, raw: str, shelf):
    """The account named by its user name among those the desk may name at ``shelf``
    (``selectors.desk_account_get``), or None for an empty name. Any other name is answered
    alike, whether or not such an account exists."""
    from .selectors import desk_account_get

    username = raw.strip()
    if not username:
        return None
    account = (
        desk_account_get(user=user, shelf=shelf, username=username) if user is not None else None
    )
    if account is None:
        raise forms.ValidationError(NO_ACCOUNT)
    return account


def _blank(choices, label="—"):
    return [("", label), *choices]


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), max_length=50, required=False)
    category = forms.ChoiceField(
        label=_("category"), choices=_blank(Category.choices, _("all")), required=False
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {
            "search": self.cleaned_data["q"].strip(),
            "category": self.cleaned_data["category"] or None,
        }


class RequestForm(forms.Form):
    quantity = forms.IntegerField(label=_("how many"), min_value=1, max_value=100, initial=1)
    note = forms.CharField(
        label=_("note for the desk"),
        max_length=500,
        required=False,
        help_text=_("E.g. when you will come to fetch it."),
    )


class LendForm(forms.Form):
    quantity = forms.IntegerField(label=_("how many"), min_value=1, max_value=1000, initial=1)
    borrower_name = forms.CharField(label=_("borrower"), max_length=100, required=False)
    borrower_username = forms.CharField(
        label=_("borrower's account (user name)"),
        max_length=150,
        required=False,
        help_text=_("A resident with an account is reminded when the loan is due."),
    )
    days = forms.IntegerField(
        label=_("loan period (days)"),
        min_value=1,
        max_value=MAX_LOAN_DAYS,
        required=False,
        help_text=_("Empty: the item's own loan period."),
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, user=None, shelf=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.shelf = user, shelf

    def clean_borrower_username(self):
        return _account(self.user, self.cleaned_data["borrower_username"], self.shelf)

    def clean(self):
        data = super().clean()
        named = data.get("borrower_username") or (data.get("borrower_name") or "").strip()
        if not named and "borrower_username" not in self.errors:
            self.add_error("borrower_name", _("Name the borrower."))
        return data


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("photo"))
    caption = forms.CharField(label=_("caption"), max_length=120, required=False)


class ItemForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    quantity = forms.IntegerField(label=_("units owned"), min_value=0, max_value=10_000)
    condition = forms.ChoiceField(label=_("condition"), choices=Condition.choices)
    location = forms.CharField(label=_("where it is kept"), max_length=120, required=False)
    loan_days = forms.IntegerField(
        label=_("loan period (days)"), min_value=1, max_value=MAX_LOAN_DAYS
    )
    is_active = forms.BooleanField(label=_("being lent"), required=False)

    FIELDS = (
        "name",
        "name_en",
        "category",
        "description",
        "quantity",
        "condition",
        "location",
        "loan_days",
        "is_active",
    )

    @classmethod
    def for_item(cls, item):
        return cls(initial={name: getattr(item, name) for name in cls.FIELDS})

    def changes(self, item) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.FIELDS
            if self.cleaned_data[name] != getattr(item, name)
        }


class ReturnForm(forms.Form):
    condition = forms.ChoiceField(
        label=_("condition on return"),
        choices=_blank(Condition.choices, _("as before")),
        required=False,
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class DonationForm(forms.Form):
    quantity = forms.IntegerField(label=_("units"), min_value=1, max_value=1000, initial=1)
    name = forms.CharField(
        label=_("or a new item: name"),
        max_length=100,
        required=False,
        help_text=_("Units of an item of that name on the shelf are added to it."),
    )
    category = forms.ChoiceField(
        label=_("category"), choices=Category.choices, initial=Category.OTHER
    )
    condition = forms.ChoiceField(
        label=_("condition"), choices=Condition.choices, initial=Condition.GOOD
    )
    location = forms.CharField(label=_("where it is kept"), max_length=120, required=False)
    donor_name = forms.CharField(label=_("donor"), max_length=100, required=False)
    donor_username = forms.CharField(
        label=_("donor's account (user name)"), max_length=150, required=False
    )
    anonymous = forms.BooleanField(label=_("anonymous (not named to residents)"), required=False)
    donated_on = forms.DateField(label=_("donated on"), required=False, widget=DateInput())
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args, items, places, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["item"] = ObjectChoiceField(
            label=_("item"),
            objects=items,
            label_of=lambda i: f"{i.place.name} · {i.name}",
            required=False,
        )
        self.fields["place"] = ObjectChoiceField(
            label=_("shelf of (for a new item)"),
            objects=places,
            label_of=lambda p: p.name,
            required=False,
        )
        if len(places) == 1:
            self.fields["place"].initial = places[0].pk
        self.order_fields(["item", "quantity", "place", "name", "category", "condition"])

    def clean_donated_on(self):
        return self.cleaned_data["donated_on"] or timezone.localdate()

    def clean(self):
        data = super().clean()
        item, place = data.get("item"), data.get("place")
        if not item:
            if not (data.get("name") or "").strip():
                self.add_error("item", _("Choose the item, or name a new one."))
            elif not place:
                self.add_error("place", _("Choose the shelf of the new item."))
        # The donor is one of the neighbours of the shelf the units go to, known once the
        # item (or the place of a new one) is.
        shelf = item.place if item else place
        raw = data.pop("donor_username", None) or ""
        if "donor_username" in self.errors:
            return data
        try:
            data["donor_username"] = _account(self.user, raw, shelf) if shelf else None
        except forms.ValidationError as error:
            self.add_error("donor_username", error)
        return data


class ReportForm(forms.Form):
    start = forms.DateField(label=_("from"), widget=DateInput())
    end = forms.DateField(label=_("until"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end date must not be before the start date."))
        return data
