"""Planning: the least a failing commune must do to pass (``tc8 plan``).

A stage between the engine and the renderers: it reads a :class:`~tc8.model.results.Results`,
proposes interventions per failing condition (one module per measure family, like
:mod:`tc8.measures`), applies them to the input and re-assesses to prove the plan.
The shared shapes are in :mod:`tc8.plan.model`.
"""
