"""Why a failed mediation ended (人民调解法 art. 26), for its printed notice; the failures
recorded before are taken as "the parties could not reach an agreement"."""

from django.db import migrations, models


def failed_without_agreement(apps, schema_editor):
    Mediation = apps.get_model("mediation", "Mediation")
    Mediation.objects.filter(status="failed", end_reason="").update(end_reason="no_agreement")


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediation",
            name="end_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("no_agreement", "the parties could not reach an agreement"),
                    ("party_ended", "a party asked to end the mediation (art. 23)"),
                    ("party_refused", "a party refused to take part in mediation (art. 17)"),
                    ("other_body", "the law gives the dispute to another body"),
                ],
                max_length=16,
                verbose_name="why the mediation ended",
            ),
        ),
        migrations.RunPython(failed_without_agreement, migrations.RunPython.noop),
    ]
