"""The policy-recommendation report, drawn from every stage of a deliberation."""
