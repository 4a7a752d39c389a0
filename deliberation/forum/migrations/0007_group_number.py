"""Numbered groups: the number is stored and the name shown in the reader's language.

Groups made by allocation before this were named "01조", "02조", … in Korean; they get
their number, and keep their stored name, so links, exports and sort order stay as they
were."""

import re

from django.db import migrations, models

NUMBERED = re.compile(r"^(\d{1,4})조$")


def number_the_generated_groups(apps, schema_editor):
    ForumGroup = apps.get_model("forum", "ForumGroup")
    for group in ForumGroup.objects.filter(number__isnull=True, name__endswith="조"):
        match = NUMBERED.match(group.name)
        if match:
            ForumGroup.objects.filter(pk=group.pk).update(number=int(match.group(1)))


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0006_session_region"),
    ]

    operations = [
        migrations.AddField(
            model_name="forumgroup",
            name="number",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="number"),
        ),
        migrations.RunPython(number_the_generated_groups, migrations.RunPython.noop),
    ]
