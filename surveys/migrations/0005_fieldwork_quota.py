"""The fieldwork quota gets a name of its own (the panel's quotas are panels.PanelQuota)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_wave_reminders")]

    operations = [
        migrations.RenameModel("Quota", "FieldworkQuota"),
        migrations.AlterModelOptions(
            name="fieldworkquota",
            options={
                "ordering": ["wave", "region", "gender", "age_band"],
                "verbose_name": "fieldwork quota",
                "verbose_name_plural": "fieldwork quotas",
            },
        ),
    ]
