"""The catalogue's editing forms: a version's facts, its situations (one per line) and its
materials (rows of a formset; each names the situations it is needed in)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MaterialForm, MatterKind, MatterVersion
from .services import MaterialSpec, VersionSpec

SEPARATORS = re.compile(r"[、,，;；\n]+")
BLANK_ROWS = 3
MAX_ROWS = 40


class VersionForm(forms.ModelForm):
    situations_text = forms.CharField(
        label=_("situations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line, e.g. 家庭成员中有残疾人. Leave empty when every applicant brings "
            "the same."
        ),
    )

    class Meta:
        model = MatterVersion
        fields = [
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
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
        }

    def situation_names(self) -> list[str]:
        text = self.cleaned_data.get("situations_text", "")
        return [line.strip() for line in text.splitlines() if line.strip()]


class NewMatterForm(forms.Form):
    place = forms.ModelChoiceField(label=_("catalogue of"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("kind"), choices=MatterKind.choices)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places


class RevisionNoteForm(forms.Form):
    change_note = forms.CharField(
        label=_("what changed"),
        max_length=300,
        help_text=_("Shown to everyone with the version, e.g. 不再要求提供收入证明."),
    )


class MaterialRowForm(forms.Form):
    name = forms.CharField(label=_("material"), max_length=160, required=False)
    form = forms.ChoiceField(
        label=_("original or copy"), choices=MaterialForm.choices, initial=MaterialForm.COPY
    )
    copies = forms.IntegerField(label=_("copies"), min_value=1, max_value=20, initial=1)
    note = forms.CharField(label=_("note"), max_length=300, required=False)
    situations = forms.CharField(
        label=_("only in these situations"),
        max_length=500,
        required=False,
    )

    def spec(self) -> MaterialSpec | None:
        data = self.cleaned_data
        if not data.get("name", "").strip():
            return None
        return MaterialSpec(
            name=data["name"],
            form=data["form"],
            copies=data["copies"],
            note=data.get("note", ""),
            situations=[
                n.strip() for n in SEPARATORS.split(data.get("situations", "")) if n.strip()
            ],
        )


MaterialFormSet = forms.formset_factory(
    MaterialRowForm, extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True
)


def material_initial(version: MatterVersion | None) -> list[dict]:
    if version is None:
        return []
    return [
        {
            "name": m.name,
            "form": m.form,
            "copies": m.copies,
            "note": m.note,
            "situations": "、".join(s.name for s in m.situations.all()),
        }
        for m in version.materials.all()
    ]


def version_spec(form: VersionForm, materials) -> VersionSpec:
    """The revision the forms hold (all of them valid)."""
    data = form.cleaned_data
    rows = [row.spec() for row in materials.forms if row.cleaned_data]
    return VersionSpec(
        name=data["name"],
        name_en=data.get("name_en", ""),
        summary=data.get("summary", ""),
        department=data["department"],
        implementing_body=data["implementing_body"],
        legal_basis=data["legal_basis"],
        statutory_days=data.get("statutory_days"),
        promised_days=data["promised_days"],
        fee=data.get("fee", ""),
        handling=data["handling"],
        situations=form.situation_names(),
        materials=[row for row in rows if row is not None],
    )
