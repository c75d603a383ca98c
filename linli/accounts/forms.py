from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from linli.core.audit_labels import action_choices
from linli.core.forms import DateInput

# The years a filter's day may be in (the log begins with the platform).
EARLIEST, LATEST = 2000, 2100


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
    """The audit log's filters: who acted (their user name or part of their name), which
    action, and from which day to which (both included, local days)."""

    person = forms.CharField(
        label=_("done by"),
        required=False,
        max_length=150,
        help_text=_("User name, or part of the person's name."),
    )
    action = forms.ChoiceField(label=_("action"), required=False)
    since = forms.DateField(label=_("from"), required=False, widget=DateInput())
    until = forms.DateField(label=_("until"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("every action")), *action_choices()]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and not (EARLIEST <= day.year <= LATEST):
                self.add_error(
                    name,
                    _("Choose a day between %(first)s and %(last)s.")
                    % {"first": EARLIEST, "last": LATEST},
                )
        if since and until and since > until:
            self.add_error("until", _("The last day comes before the first."))
        return data
