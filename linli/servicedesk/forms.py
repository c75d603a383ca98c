from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MatterKind
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
