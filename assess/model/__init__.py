"""The data model every stage shares (lowest stage: imports no other stage).

:mod:`~tc8.model.schema` (the input layers, columns, types), :mod:`~tc8.model.inputs`
(inputs as read and as validated), :mod:`~tc8.model.results` (what an assessment decided),
:mod:`~tc8.model.errors` (exceptions and the located :class:`~tc8.model.errors.Problem`),
:mod:`~tc8.model.vocab` (statuses, evidence classes, the measure registry).
"""
