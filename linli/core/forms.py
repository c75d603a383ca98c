"""Form handling shared by every page."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import LinliError


class DateInput(forms.DateInput):
    """A date picker (``<input type="date">``), whose value is always ISO: a browser shows
    nothing for a date written the way the page's language writes it (2026/1/1)."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):  # noqa: A002 - Django's own name
        super().__init__(attrs=attrs, format=format)


def submit_form(request, form, write, success_message):
    """Run a service for a valid form: on success say so and return its result; on refusal
    put the messages next to the fields (the form keeps what was typed) and return None."""
    try:
        result = write()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None
    except LinliError as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, success_message)
    return result


def submitted(request, form, write, success_message) -> bool:
    """``submit_form`` for services that may return nothing: True when the write was done."""
    return submit_form(request, form, lambda: write() or True, success_message) is not None


def run_action(request, write, success_message) -> bool:
    """Run a service for an action without a form to show again (a button): on success say
    so; a refusal becomes an error message. True when the write was done."""
    try:
        write()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    except LinliError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success_message)
    return True


def safe_next(request, fallback: str) -> str:
    """Where to go after a POST: the form's ``next`` when it is a URL of this site, else
    ``fallback`` (never an open redirect)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def redirect_back(request, fallback: str):
    return redirect(safe_next(request, fallback))
