"""Publishing notices."""

from django.db import transaction

from linli.core.audit import audit_record

from .models import Notice


@transaction.atomic
def notice_publish(*, actor, place, kind: str, title: str, body: str = "", url: str = "") -> Notice:
    notice = Notice(
        place=place,
        kind=kind,
        title=title.strip()[:200],
        body=body.strip(),
        url=url[:300],
        published_by=actor if actor is not None and actor.is_authenticated else None,
    )
    notice.full_clean()
    notice.save()
    audit_record(actor=actor, action="notice.publish", obj=notice, details={"kind": kind})
    return notice
