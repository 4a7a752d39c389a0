"""The tables of the forum take the forum's name (forum_room, ...)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('forum', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='attendance',
            table=None,
        ),
        migrations.AlterModelTable(
            name='expertquestion',
            table=None,
        ),
        migrations.AlterModelTable(
            name='expertquestionvote',
            table=None,
        ),
        migrations.AlterModelTable(
            name='forumgroup',
            table=None,
        ),
        migrations.AlterModelTable(
            name='grouprecommendation',
            table=None,
        ),
        migrations.AlterModelTable(
            name='grouprecommendationsupport',
            table=None,
        ),
        migrations.AlterModelTable(
            name='handraise',
            table=None,
        ),
        migrations.AlterModelTable(
            name='material',
            table=None,
        ),
        migrations.AlterModelTable(
            name='moderationaction',
            table=None,
        ),
        migrations.AlterModelTable(
            name='quickpoll',
            table=None,
        ),
        migrations.AlterModelTable(
            name='quickpollvote',
            table=None,
        ),
        migrations.AlterModelTable(
            name='room',
            table=None,
        ),
        migrations.AlterModelTable(
            name='roomevent',
            table=None,
        ),
        migrations.AlterModelTable(
            name='session',
            table=None,
        ),
    ]
