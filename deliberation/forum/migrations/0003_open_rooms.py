"""Every session and group gets its room now, so the room pages only read."""

from django.db import migrations


def open_rooms(apps, schema_editor):
    Session = apps.get_model("forum", "Session")
    ForumGroup = apps.get_model("forum", "ForumGroup")
    Room = apps.get_model("forum", "Room")
    have_plenary = set(
        Room.objects.filter(group__isnull=True).values_list("session_id", flat=True)
    )
    rooms = [
        Room(session_id=pk) for pk in Session.objects.values_list("pk", flat=True)
        if pk not in have_plenary
    ]
    rooms += [
        Room(session_id=session_id, group_id=pk)
        for pk, session_id in ForumGroup.objects.filter(room__isnull=True).values_list(
            "pk", "session_id"
        )
    ]
    Room.objects.bulk_create(rooms)


class Migration(migrations.Migration):
    dependencies = [("forum", "0002_rename_tables")]

    operations = [migrations.RunPython(open_rooms, migrations.RunPython.noop)]
