"""Analysis over the validated data and the facts: indicators, reconciliation, progress status, SDG alignment, evaluation rules, monitoring progress."""
