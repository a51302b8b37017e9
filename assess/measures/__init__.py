"""Measures: what is measured per commune and per village, one module per family."""
