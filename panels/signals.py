"""What the panels app tells the stages above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the transaction that changes a seat's status, with ``panelist`` (the seat
# as saved) and ``previous_status``: the live forum closes the rooms of a seat that left.
panel_seat_changed = Signal()

# Sent inside the transaction of a region's rename or deletion, with ``deliberation``,
# ``name`` and ``deleting``: each stage above answers with the sentences naming what
# carries the region (respondents; for a deletion also its set-up, such as fieldwork
# quotas); a region in use is not renamed, nor deleted.
region_uses = Signal()

# Sent inside the transaction that renames a region, with ``deliberation``, ``old`` and
# ``new``: stages above rename the set-up that names it (fieldwork quotas).
region_renamed = Signal()
