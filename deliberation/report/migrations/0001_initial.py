"""The report's models, moved from the deliberation app; their tables are renamed next."""

import deliberation.core.storage
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



def move_content_types(apps, schema_editor):
    """Content types (and their permissions) follow the models; see forum.0001."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in ("reportnarrative", "reportrender"):
        content_type = ContentType.objects.filter(app_label="deliberation", model=model).first()
        if content_type is None:
            continue
        target = ContentType.objects.filter(app_label="report", model=model).first()
        if target is None:
            content_type.app_label = "report"
            content_type.save(update_fields=["app_label"])
            continue
        for permission in Permission.objects.filter(content_type=content_type):
            twin = Permission.objects.filter(
                content_type=target, codename=permission.codename
            ).first()
            if twin is None:
                permission.content_type = target
                permission.save(update_fields=["content_type"])
                continue
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
        content_type.delete()


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('deliberation', '0007_moved_to_forum_and_report'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReportNarrative',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('section', models.CharField(choices=[('summary', 'Summary'), ('process', 'Process'), ('poll', 'Opinion poll'), ('representativeness', 'Representativeness of the panel'), ('opinion_change', 'Opinion change'), ('recommendations', 'Recommendations'), ('methodology', 'Methodology')], max_length=32, verbose_name='section')),
                        ('text', models.TextField(blank=True, verbose_name='text')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('deliberation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_narratives', to='deliberation.deliberation', verbose_name='deliberation')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
                    ],
                    options={
                        'verbose_name': 'report narrative',
                        'verbose_name_plural': 'report narratives',
                        'db_table': 'deliberation_reportnarrative',
                        'constraints': [models.UniqueConstraint(fields=('deliberation', 'section'), name='report_narrative_once_per_section')],
                    },
                ),
                migrations.CreateModel(
                    name='ReportRender',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Rendering'), ('done', 'Ready'), ('failed', 'Failed')], default='queued', max_length=16, verbose_name='status')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='progress (%)')),
                        ('language', models.CharField(default='ko', max_length=10, verbose_name='language')),
                        ('file', models.FileField(blank=True, storage=deliberation.core.storage.private_report_storage, upload_to='reports/', verbose_name='file')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('deliberation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_renders', to='deliberation.deliberation', verbose_name='deliberation')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'report rendering',
                        'verbose_name_plural': 'report renderings',
                        'db_table': 'deliberation_reportrender',
                        'ordering': ['-created_at', '-pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='report_render_progress_0_100')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
