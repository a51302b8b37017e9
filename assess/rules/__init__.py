"""Rule sets: the rule model, loading and merging rule files, comparisons, three-valued
evaluation. Imports model, text, io and validate only (never a measure family).
"""
