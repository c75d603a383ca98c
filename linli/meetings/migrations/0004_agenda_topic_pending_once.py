"""A topic waits on one agenda at a time. A cancelled meeting's waiting topics go back to the
list (as cancelling does now); topics waiting on several agendas keep the earliest meeting,
and the later copies are taken off their agendas (or, where a failed vote was recorded on
one, marked carried so that the record stays)."""

from django.db import migrations, models


def one_pending_item_per_topic(apps, schema_editor):
    AgendaItem = apps.get_model("meetings", "AgendaItem")
    pending = AgendaItem.objects.filter(outcome="pending").select_related("meeting")
    pending.filter(meeting__status="cancelled", decisions__isnull=True).delete()
    by_topic = {}
    for item in pending.order_by("topic_id", "meeting__start", "id"):
        by_topic.setdefault(item.topic_id, []).append(item)
    for items in by_topic.values():
        if len(items) < 2:
            continue
        for extra in items[1:]:
            if extra.decisions.exists():
                extra.outcome = "carried"
                extra.save(update_fields=["outcome"])
            else:
                extra.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_timeline_events"),
    ]

    operations = [
        migrations.RunPython(one_pending_item_per_topic, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="agendaitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("outcome", "pending")),
                fields=("topic",),
                name="agenda_topic_pending_once",
            ),
        ),
    ]
