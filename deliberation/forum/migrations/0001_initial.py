"""The forum's models, moved from the deliberation app; their tables are renamed next."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


# Content types (and their permissions) follow the models, so existing grants still apply.
MOVED = {
    "session": "session",
    "forumgroup": "forumgroup",
    "material": "material",
    "room": "room",
    "roomevent": "roomevent",
    "attendance": "attendance",
    "handraise": "handraise",
    "moderationaction": "moderationaction",
    "question": "expertquestion",
    "questionvote": "expertquestionvote",
    "poll": "quickpoll",
    "pollvote": "quickpollvote",
    "recommendation": "grouprecommendation",
    "recommendationsupport": "grouprecommendationsupport",
}


def move_content_types(apps, schema_editor, moved=MOVED, app_label="forum"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for old, new in moved.items():
        content_type = ContentType.objects.filter(app_label="deliberation", model=old).first()
        if content_type is None:
            continue
        target = ContentType.objects.filter(app_label=app_label, model=new).first()
        if target is None:
            content_type.app_label, content_type.model = app_label, new
            content_type.save(update_fields=["app_label", "model"])
            target = content_type
        for permission in Permission.objects.filter(content_type=content_type):
            codename = f"{permission.codename.split('_', 1)[0]}_{new}"
            twin = Permission.objects.filter(content_type=target, codename=codename).first()
            if twin is None:
                permission.content_type, permission.codename = target, codename
                permission.save(update_fields=["content_type", "codename"])
                continue
            # Both exist (the new app's were created already): keep every grant on one.
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()
        if target.pk != content_type.pk:
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
                    name='ForumGroup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='name')),
                        ('facilitator', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='facilitated_groups', to=settings.AUTH_USER_MODEL, verbose_name='facilitator')),
                        ('members', models.ManyToManyField(blank=True, related_name='forum_groups', to=settings.AUTH_USER_MODEL, verbose_name='members')),
                    ],
                    options={
                        'verbose_name': 'group',
                        'verbose_name_plural': 'groups',
                        'db_table': 'deliberation_forumgroup',
                        'ordering': ['session', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='Room',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('last_seq', models.PositiveBigIntegerField(default=0, verbose_name='last sequence number')),
                        ('phase', models.CharField(choices=[('waiting', 'Not started'), ('introduction', 'Introduction'), ('option_a', 'Option A'), ('option_b', 'Option B'), ('synthesis', 'Synthesis'), ('closed', 'Closed')], default='waiting', max_length=20, verbose_name='phase')),
                        ('timer_ends_at', models.DateTimeField(blank=True, null=True, verbose_name='timer ends at')),
                        ('timer_label', models.CharField(blank=True, max_length=100, verbose_name='timer label')),
                        ('speaker_until', models.DateTimeField(blank=True, null=True, verbose_name="speaker's turn ends at")),
                        ('group', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='room', to='forum.forumgroup', verbose_name='group')),
                        ('speaker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='speaker')),
                    ],
                    options={
                        'verbose_name': 'room',
                        'verbose_name_plural': 'rooms',
                        'db_table': 'deliberation_room',
                    },
                ),
                migrations.CreateModel(
                    name='QuickPoll',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('question', models.CharField(max_length=300, verbose_name='question')),
                        ('options', models.JSONField(verbose_name='options')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('closed', 'Closed')], default='open', max_length=16, verbose_name='status')),
                        ('opened_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('opened_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='polls', to='forum.room')),
                    ],
                    options={
                        'verbose_name': 'poll',
                        'verbose_name_plural': 'polls',
                        'db_table': 'deliberation_poll',
                        'ordering': ['room', 'opened_at'],
                    },
                ),
                migrations.CreateModel(
                    name='GroupRecommendation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(verbose_name='recommendation')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='forum.room')),
                    ],
                    options={
                        'verbose_name': 'recommendation',
                        'verbose_name_plural': 'recommendations',
                        'db_table': 'deliberation_recommendation',
                        'ordering': ['room', 'created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ExpertQuestion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(verbose_name='question')),
                        ('status', models.CharField(choices=[('open', 'Waiting'), ('picked', 'On the floor'), ('answered', 'Answered')], default='open', max_length=16, verbose_name='status')),
                        ('votes', models.PositiveIntegerField(default=0, verbose_name='votes')),
                        ('answer', models.TextField(blank=True, verbose_name='answer')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('answered_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='forum.room')),
                    ],
                    options={
                        'verbose_name': 'question',
                        'verbose_name_plural': 'questions',
                        'db_table': 'deliberation_question',
                        'ordering': ['room', '-votes', 'created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='RoomEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveBigIntegerField(verbose_name='sequence number')),
                        ('kind', models.CharField(max_length=32, verbose_name='kind')),
                        ('text', models.TextField(blank=True, verbose_name='text')),
                        ('client_id', models.CharField(blank=True, max_length=64, verbose_name='client id')),
                        ('payload', models.JSONField(blank=True, default=dict, verbose_name='payload')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                        ('hidden_at', models.DateTimeField(blank=True, null=True, verbose_name='hidden at')),
                        ('hidden_reason', models.CharField(blank=True, max_length=300, verbose_name='reason for hiding')),
                        ('is_synthetic', models.BooleanField(default=False, verbose_name='synthetic (demo)')),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='forum.room')),
                    ],
                    options={
                        'verbose_name': 'room event',
                        'verbose_name_plural': 'room events',
                        'db_table': 'deliberation_roomevent',
                        'ordering': ['room', 'seq'],
                    },
                ),
                migrations.CreateModel(
                    name='ModerationAction',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('hide', 'Hide a message'), ('mute', 'Mute'), ('remove', 'Remove from the room')], max_length=16, verbose_name='kind')),
                        ('reason', models.CharField(blank=True, max_length=300, verbose_name='reason')),
                        ('until', models.DateTimeField(blank=True, null=True, verbose_name='until')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('target', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='moderation', to='forum.room')),
                        ('event', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='forum.roomevent')),
                    ],
                    options={
                        'verbose_name': 'moderation action',
                        'verbose_name_plural': 'moderation actions',
                        'db_table': 'deliberation_moderationaction',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Session',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('expert_debate', 'Expert debate'), ('regional_forum', 'Regional forum'), ('plenary', 'Plenary forum')], max_length=32, verbose_name='kind')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('starts_at', models.DateTimeField(verbose_name='starts at')),
                        ('ends_at', models.DateTimeField(verbose_name='ends at')),
                        ('deliberation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='sessions', to='deliberation.deliberation', verbose_name='deliberation')),
                        ('experts', models.ManyToManyField(blank=True, related_name='expert_sessions', to=settings.AUTH_USER_MODEL, verbose_name='experts')),
                        ('moderator', models.ForeignKey(blank=True, help_text="Runs the session's plenary room; organizers may always step in.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='moderated_sessions', to=settings.AUTH_USER_MODEL, verbose_name='moderator')),
                    ],
                    options={
                        'verbose_name': 'session',
                        'verbose_name_plural': 'sessions',
                        'db_table': 'deliberation_session',
                        'ordering': ['starts_at'],
                    },
                ),
                migrations.AddField(
                    model_name='room',
                    name='session',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rooms', to='forum.session', verbose_name='session'),
                ),
                migrations.CreateModel(
                    name='Material',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('link', models.URLField(blank=True, verbose_name='link')),
                        ('file', models.FileField(blank=True, upload_to='materials/%Y/', verbose_name='file')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='materials', to='forum.session', verbose_name='session')),
                    ],
                    options={
                        'verbose_name': 'material',
                        'verbose_name_plural': 'materials',
                        'db_table': 'deliberation_material',
                        'ordering': ['session', 'order', 'pk'],
                    },
                ),
                migrations.AddField(
                    model_name='forumgroup',
                    name='session',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='groups', to='forum.session', verbose_name='session'),
                ),
                migrations.CreateModel(
                    name='ExpertQuestionVote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='upvotes', to='forum.expertquestion')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'deliberation_questionvote',
                        'constraints': [models.UniqueConstraint(fields=('question', 'user'), name='question_vote_once')],
                    },
                ),
                migrations.CreateModel(
                    name='GroupRecommendationSupport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('recommendation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='supports', to='forum.grouprecommendation')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'deliberation_recommendationsupport',
                        'constraints': [models.UniqueConstraint(fields=('recommendation', 'user'), name='support_once')],
                    },
                ),
                migrations.CreateModel(
                    name='QuickPollVote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('option', models.PositiveSmallIntegerField()),
                        ('poll', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='votes', to='forum.quickpoll')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'deliberation_pollvote',
                        'constraints': [models.UniqueConstraint(fields=('poll', 'user'), name='poll_vote_once')],
                    },
                ),
                migrations.CreateModel(
                    name='HandRaise',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('raised_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='hands', to='forum.room')),
                    ],
                    options={
                        'db_table': 'deliberation_handraise',
                        'ordering': ['raised_at', 'pk'],
                        'constraints': [models.UniqueConstraint(fields=('room', 'user'), name='hand_once')],
                    },
                ),
                migrations.CreateModel(
                    name='Attendance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel_name', models.CharField(max_length=200)),
                        ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('last_seen_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('left_at', models.DateTimeField(blank=True, null=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='room_attendances', to=settings.AUTH_USER_MODEL)),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='forum.room')),
                    ],
                    options={
                        'verbose_name': 'attendance',
                        'verbose_name_plural': 'attendances',
                        'db_table': 'deliberation_attendance',
                        'indexes': [models.Index(fields=['room', 'left_at'], name='attendance_open')],
                    },
                ),
                migrations.AddIndex(
                    model_name='roomevent',
                    index=models.Index(fields=['room', 'author', 'created_at'], name='room_event_recent_by_author'),
                ),
                migrations.AddConstraint(
                    model_name='roomevent',
                    constraint=models.UniqueConstraint(fields=('room', 'seq'), name='room_event_seq_once'),
                ),
                migrations.AddConstraint(
                    model_name='roomevent',
                    constraint=models.UniqueConstraint(condition=models.Q(('client_id', ''), _negated=True), fields=('room', 'author', 'client_id'), name='room_event_client_id_once'),
                ),
                migrations.AddConstraint(
                    model_name='session',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='session_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='room',
                    constraint=models.UniqueConstraint(condition=models.Q(('group__isnull', True)), fields=('session',), name='room_one_plenary_per_session'),
                ),
                migrations.AddConstraint(
                    model_name='material',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('body', ''), _negated=True), models.Q(('link', ''), _negated=True), models.Q(('file', ''), _negated=True), _connector='OR'), name='material_has_content'),
                ),
                migrations.AddConstraint(
                    model_name='forumgroup',
                    constraint=models.UniqueConstraint(fields=('session', 'name'), name='group_name_unique_in_session'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
