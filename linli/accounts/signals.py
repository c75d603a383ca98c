"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from linli.core.audit import audit_record
from linli.core.crypto import mask_phone
from linli.core.validators import looks_like_mobile


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="account.login", request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action="account.logout", request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    login = str(credentials.get("username", ""))[:150]
    if looks_like_mobile(login):
        login = mask_phone(login)  # a mobile number is personal data; never log it whole
    audit_record(action="account.login_failed", request=request, details={"login": login})
