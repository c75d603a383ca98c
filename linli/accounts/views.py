"""Sign-in, sign-out, password change, the user's own account page and the audit log."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from linli.core.audit import audit_record
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


@login_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    action = form.cleaned_data["action"] if form.is_valid() else None
    page = paginate(request, audit_event_list(user=request.user, action=action or None))
    return render(request, "accounts/audit_list.html", {"page": page, "filter_form": form})
