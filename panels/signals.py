"""What the panels app tells the stages above it, which it may not import."""

from django.dispatch import Signal

# Sent inside the transaction that changes a seat's status, with ``panelist`` (the seat
# as saved) and ``previous_status``: the live forum closes the rooms of a seat that left.
panel_seat_changed = Signal()
