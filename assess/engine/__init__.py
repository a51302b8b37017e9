"""The engine: Inputs + rule set -> Results (with per-village statuses), the province roll-up,
the missing-data preview. The last stage that computes; renderers only read its Results.
"""
