"""The tables of the report take the report's name (report_reportrender, ...)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('report', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='reportnarrative',
            table=None,
        ),
        migrations.AlterModelTable(
            name='reportrender',
            table=None,
        ),
    ]
