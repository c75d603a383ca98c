from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _(
            "The username or mobile number and password do not match. Note that the password "
            "is case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("action"), required=False, max_length=64)
