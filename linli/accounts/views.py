"""Sign-in, sign-out, password change, the user's own account page and the audit log."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
from linli.core.audit_labels import action_label, object_labels
from linli.core.pagination import paginate

from .forms import AuditFilterForm, SignInForm
from .selectors import (
    audit_event_list,
    grant_list_for_user,
    membership_list_for_user,
    token_list_for_user,
)


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            actor=self.request.user, action="account.password_change", request=self.request
        )
        messages.success(self.request, _("Your password was changed."))
        return response


@login_required
def profile(request):
    return render(
        request,
        "accounts/profile.html",
        {
            "grants": grant_list_for_user(user=request.user),
            "memberships": membership_list_for_user(user=request.user),
            "tokens": token_list_for_user(user=request.user),
        },
    )


FILTERS = ("person", "action", "since", "until")


@login_required
def audit_list(request):
    """The audit log, newest first, with its filters; events read as people say them: the
    action's label, the object by its name, the person by their name. A filter that cannot
    be read is said so, and the log is shown without it."""
    wanted = any(request.GET.get(name) for name in FILTERS)
    form = AuditFilterForm(request.GET if wanted else None)
    filters = {}
    if wanted and form.is_valid():
        filters = {name: form.cleaned_data[name] or None for name in FILTERS}
    page = paginate(request, audit_event_list(user=request.user, **filters))
    page.object_list = describe_events(list(page.object_list))
    return render(
        request,
        "accounts/audit_list.html",
        {"page": page, "filter_form": form, "filtered": bool(filters)},
    )


def describe_events(events):
    """Give each event its readable action, object and person (one query per object type
    on the page)."""
    names = object_labels(events)
    for event in events:
        event.action_label = action_label(event.action)
        event.object_label = names.get((event.object_type, event.object_id)) or event.object_repr
        if event.actor is not None:
            event.actor_label = event.actor.display_name
        else:
            event.actor_label = event.actor_name or _("the system")
    return events
