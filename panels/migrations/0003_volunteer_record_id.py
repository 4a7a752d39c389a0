"""Volunteers get random ids for the public audit record; panelists' account names stop
carrying the organizer's volunteer ids."""

import secrets

from django.db import migrations, models

PREFIX = "V-"


def assign_record_ids(apps, schema_editor):
    Volunteer = apps.get_model("panels", "Volunteer")
    used = set()
    volunteers = list(Volunteer.objects.only("pk", "record_id"))
    for volunteer in volunteers:
        while True:
            candidate = PREFIX + secrets.token_hex(5).upper()
            if candidate not in used:
                used.add(candidate)
                volunteer.record_id = candidate
                break
    Volunteer.objects.bulk_update(volunteers, ["record_id"], batch_size=2000)


def rename_panelist_accounts(apps, schema_editor):
    """Accounts made for drawn volunteers were named v<deliberation>-<volunteer id>."""
    User = apps.get_model("auth", "User")
    Panelist = apps.get_model("panels", "Panelist")
    users = list(
        User.objects.filter(
            pk__in=Panelist.objects.filter(volunteer__isnull=False).values("user_id"),
            username__regex=r"^v[0-9]+-",
        )
    )
    for user in users:
        user.username = f"panelist-{secrets.token_hex(6)}"
    User.objects.bulk_update(users, ["username"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0002_pool_quotas_runs_audit"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="record_id",
            field=models.CharField(
                default="", editable=False, max_length=16, verbose_name="record id"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(assign_record_ids, migrations.RunPython.noop),
        migrations.RunPython(rename_panelist_accounts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="volunteer",
            constraint=models.UniqueConstraint(
                fields=("deliberation", "record_id"), name="volunteer_record_id_unique"
            ),
        ),
    ]
