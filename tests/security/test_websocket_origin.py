"""A room socket opens only from the site's own origin: scheme, host and port."""

from __future__ import annotations

import pytest

from tests.deliberation.forum.room_helpers import open_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "origin,host,headers,accepted",
    [
        ("http://testserver", "testserver", (), True),
        ("http://localhost:8000", "localhost:8000", (), True),
        ("http://localhost:9999", "localhost:8000", (), False),
        ("https://localhost:8000", "localhost:8000", (), False),
        ("http://localhost", "localhost:8000", (), False),
        ("http://evil.example", "testserver", (), False),
        ("null", "testserver", (), False),
        ("http://testserver", "evil.example", (), False),
        ("http://[::1]:8000", "[::1]:8000", (), True),
    ],
)
async def test_only_the_sites_own_origin_opens_a_room_socket(
    forum, origin, host, headers, accepted
):
    communicator = await open_socket(
        forum.alice, forum.room.pk, origin=origin, host=host, extra_headers=headers
    )
    assert communicator.accepted is accepted, origin
    if accepted:
        await communicator.disconnect()


async def test_behind_a_tls_proxy_the_origin_is_https(forum, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.ALLOWED_HOSTS = ["gongnon.example.org"]
    proto = ((b"x-forwarded-proto", b"https"),)
    good = await open_socket(
        forum.alice,
        forum.room.pk,
        origin="https://gongnon.example.org",
        host="gongnon.example.org",
        extra_headers=proto,
    )
    assert good.accepted
    await good.disconnect()
    plain = await open_socket(
        forum.alice,
        forum.room.pk,
        origin="http://gongnon.example.org",
        host="gongnon.example.org",
        extra_headers=proto,
    )
    assert not plain.accepted
