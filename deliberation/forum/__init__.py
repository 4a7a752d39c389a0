"""The live forum: sessions, groups and their rooms, where panelists deliberate."""
