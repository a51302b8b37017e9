"""Measures: what is measured per commune and per village, one module per family (the
registry of names is :data:`tc8.model.vocab.MEASURES`). Never imported by a renderer.
"""
