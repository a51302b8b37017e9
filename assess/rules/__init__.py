"""Rule sets: the rule model, loading and merging rule files, three-valued evaluation."""
