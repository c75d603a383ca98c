"""Form handling shared by every page."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from .errors import LinliError


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
