"""Materials move to private storage under unguessable names, served by a checked view."""

import os
import shutil

from django.conf import settings
from django.db import migrations, models

import deliberation.forum.models
from deliberation.core.storage import unguessable_name


def move_material_files(apps, schema_editor):
    """Files uploaded before were kept under MEDIA_ROOT, where /media/ never served them."""
    Material = apps.get_model("forum", "Material")
    private_root = os.path.join(settings.MEDIA_ROOT, "private")
    for material in Material.objects.exclude(file=""):
        old_path = os.path.join(settings.MEDIA_ROOT, material.file.name)
        if not os.path.exists(old_path):
            continue
        new_name = unguessable_name("materials", material.file.name)
        new_path = os.path.join(private_root, new_name)
        os.makedirs(os.path.dirname(new_path), exist_ok=True)
        shutil.move(old_path, new_path)
        Material.objects.filter(pk=material.pk).update(file=new_name)


class Migration(migrations.Migration):
    dependencies = [("forum", "0004_room_access_version")]

    operations = [
        migrations.AlterField(
            model_name="material",
            name="file",
            field=models.FileField(
                blank=True,
                storage=deliberation.forum.models.private_material_storage,
                upload_to=deliberation.forum.models.material_path,
                verbose_name="file",
            ),
        ),
        migrations.RunPython(move_material_files, migrations.RunPython.noop),
    ]
