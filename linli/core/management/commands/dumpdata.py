"""Django's ``dumpdata``, refusing to write decrypted personal data unless told to.

The ORM decrypts encrypted columns as it reads, so a fixture holds every ID number, mobile
and health text in clear. Backups are ``linli backup``'s job; a plaintext export is possible
(``--plaintext``) and audited."""

from django.core.management.base import CommandError
from django.core.management.commands import dumpdata

from linli.core.audit import audit_record
from linli.core.crypto import encrypted_models


def _selected(model, labels: list[str], excludes: list[str]) -> bool:
    app_label, name = model._meta.app_label, model._meta.model_name

    def names(label: str) -> bool:
        return label.lower() in (app_label, f"{app_label}.{name}")

    if any(names(label) for label in excludes):
        return False
    return not labels or any(names(label) for label in labels)


class Command(dumpdata.Command):
    help = dumpdata.Command.help + (
        " Models with encrypted personal data are refused unless --plaintext is given "
        "(use linli backup for backups)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--plaintext",
            action="store_true",
            help="write encrypted personal data decrypted (audited)",
        )

    def handle(self, *app_labels, **options):
        protected = [
            model._meta.label
            for model, _fields in encrypted_models()
            if _selected(model, list(app_labels), options.get("exclude") or [])
        ]
        if protected and not options["plaintext"]:
            raise CommandError(
                "dumpdata would write the personal data of "
                f"{', '.join(protected)} decrypted. Use `linli backup` (it stays encrypted), "
                "leave them out with -e, or pass --plaintext if a decrypted copy is wanted."
            )
        if protected:
            audit_record(action="data.export_plaintext", details={"models": protected})
        return super().handle(*app_labels, **options)
