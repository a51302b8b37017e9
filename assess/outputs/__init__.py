"""Results files (GeoPackage, CSV, JSON) and the terminal summary: a renderer, it reads
Results and never imports the evaluator or the measures.
"""
