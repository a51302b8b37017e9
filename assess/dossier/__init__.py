"""Evidence dossiers: per-commune and province workbooks, manifests and their verification. A
renderer: it may use :mod:`tc8.maps` and :mod:`tc8.outputs`, never the evaluator or the measures.
"""
