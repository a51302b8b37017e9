"""Files in and out that are not results: reading input layers, recognising layer names,
reading the population raster, the template, atomic writes, safe paths, the bundled demo,
YAML guards. Imports :mod:`tc8.model` and :mod:`tc8.text` only.
"""
