"""The engine: Inputs + rule set -> Results, the province roll-up, the missing-data preview."""
