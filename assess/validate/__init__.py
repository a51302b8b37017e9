"""Validation: raw layers -> typed, projected Inputs, every problem located (file, layer, row,
field). Imports model, text and io only.
"""
