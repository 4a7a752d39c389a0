"""Report PDFs are stored under unguessable names."""

import deliberation.core.storage
import deliberation.report.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('report', '0002_rename_tables'),
    ]

    operations = [
        migrations.AlterField(
            model_name='reportrender',
            name='file',
            field=models.FileField(blank=True, storage=deliberation.core.storage.private_report_storage, upload_to=deliberation.report.models.report_path, verbose_name='file'),
        ),
    ]
